"""The demo's licensing data: guides, applications in several states at each licensing agency, the
online application followed with the documented query code, fee and levy cases."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from sanxiang import demo
from sanxiang.cases.models import Case
from sanxiang.common.tracking import progress_lookup
from sanxiang.licensing.demo import DEMO_QUERY_CODE
from sanxiang.licensing.models import Application, FeeItem, ServiceGuide
from sanxiang.registry.models import EnforcementItem, Flow


@pytest.mark.slow
@pytest.mark.skipif(not demo.default_laws_dir().is_dir(), reason="../shared/laws is absent")
@pytest.mark.django_db(transaction=True)
def test_demo_licensing_data():
    out = io.StringIO()
    call_command("load_demo", stdout=out, stderr=io.StringIO())
    output = out.getvalue()
    assert not [line for line in output.splitlines() if "许可申请（" in line], output
    licensing = EnforcementItem.objects.filter(kind="licensing")
    assert set(licensing.values_list("flow__code", flat=True)) == {"licensing_general"}
    assert ServiceGuide.objects.count() == licensing.count()
    assert not Flow.objects.filter(kind="licensing").exclude(code="licensing_general").exists()
    for agency_id in licensing.values_list("agency_id", flat=True).distinct():
        states = set(Case.objects.filter(agency_id=agency_id, flow__code="licensing_general")
                     .values_list("state", flat=True))
        assert {"supplement", "examination", "granted", "refused"} <= states, states
        assert Application.objects.filter(agency_id=agency_id, case__isnull=True).exists()
    followed = Application.objects.get(number=re.search(r"受理编号 (XK\w+?)，", output).group(1))
    progress = progress_lookup(followed.number, DEMO_QUERY_CODE)
    assert progress.status == "已准予许可并颁发证件" and progress.links
    assert FeeItem.objects.filter(kind="fee").exists() and FeeItem.objects.filter(kind="levy").exists()
    assert Case.objects.filter(flow__code="fee_general", state="paid").exists()
    assert Case.objects.filter(flow__code="levy_general").exists()
