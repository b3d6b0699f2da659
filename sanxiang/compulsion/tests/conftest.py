import pytest

from sanxiang.compulsion.testing import compulsion_items


@pytest.fixture
def cworld(world):
    """The personas' world with the two compulsion items and the audio-video list installed."""
    from sanxiang.registry.services import av_list_install

    world.seizure_item, world.enforcement_item = compulsion_items(world.agency)
    av_list_install(agency=world.agency)
    return world
