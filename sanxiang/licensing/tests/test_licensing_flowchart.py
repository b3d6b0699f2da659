"""The portal flowchart of the licensing and levy/fee flows states every rule the engine runs."""

import pytest

from sanxiang.cases.tests.test_rulebook import (
    test_the_portal_flowchart_states_every_rule_of_the_flow_in_words as check,
)


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["licensing_general", "levy_general", "fee_general"])
def test_flowchart_is_the_flow_the_engine_runs(client, world, code):
    check(client, world, code)
