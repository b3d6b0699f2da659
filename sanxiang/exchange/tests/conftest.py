"""Fixtures of the exchange tests: the records world, plus a second published decision whose party is
an organisation (its codes and legal representative are public)."""

import pytest

from sanxiang.testing import build_records_world, org_party


def publish_org_case(world, *, fine=20000, title="擅自处置建筑垃圾"):
    """A second case of the world's agency against an organisation, decided and published."""
    import datetime as dt

    from django.utils import timezone

    from sanxiang.cases.services import case_open
    from sanxiang.cases.walkthrough import Cast, walk
    from sanxiang.disclosure.services import publication_publish

    case = case_open(actor=world.alice, item=world.item, party=org_party(), title=title,
                     officers=[world.alice_officer, world.bob_officer],
                     opened_on=timezone.localdate() - dt.timedelta(days=40))
    case = walk(case, Cast(world.alice, world.carol, world.dave, world.erin), fine=fine, until="execution",
                documents=False)
    return publication_publish(publication=case.publications.get(), actor=world.erin)


@pytest.fixture
def rw(db, settings, tmp_path):
    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    return build_records_world()


@pytest.fixture
def rw_org(rw):
    rw.org_publication = publish_org_case(rw.world)
    return rw
