"""Early warnings of the registry: certificates about to expire, reviewers below the 5% rule."""

from __future__ import annotations

import datetime as dt

from sanxiang.common.alerts import Finding, alert_rule


@alert_rule("certificate_expiring", "执法证即将到期", threshold_label="提前天数", default=60,
            basis="行政执法证件管理办法：证件有效期届满前申请换证")
def certificates_expiring(threshold, on: dt.date):
    from sanxiang.registry.selectors import certificates_expiring as expiring

    for officer in expiring(None, on, int(threshold)):
        yield Finding(
            agency_id=officer.agency_id, subject=officer, due=officer.valid_to, key=str(officer.valid_to),
            text=f"{officer.name}的执法证（{officer.certificate_no}）将于{officer.valid_to:%Y年%m月%d日}到期，"
                 f"请及时办理换证；到期后不得从事执法活动",
            user_ids=(officer.user_id,) if officer.user_id else (), roles=("agency_head",))


@alert_rule("legal_reviewers_short", "法制审核人员不足5%", threshold_label="比例（%）", default=5,
            basis="《关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》",
            severity="serious")
def reviewers_short(threshold, on: dt.date):
    from math import ceil

    from sanxiang.registry.choices import AgencyKind
    from sanxiang.registry.models import Agency, Officer
    from sanxiang.registry.selectors import certified_officers

    for agency in Agency.objects.filter(kind=AgencyKind.ENFORCEMENT):
        officers = certified_officers([agency.pk], on).count()
        if not officers:
            continue
        reviewers = Officer.objects.filter(agency=agency, is_legal_reviewer=True).count()
        required = max(1, ceil(officers * float(threshold) / 100))
        if reviewers < required:
            yield Finding(
                agency_id=agency.pk, subject=agency, key=f"{reviewers}/{officers}",
                text=f"{agency.name}持证执法人员{officers}人，法制审核人员{reviewers}人，"
                     f"低于{threshold}%（应不少于{required}人）", roles=("agency_head",))
