"""Demo data of 执法人员资格管理: this year's training hours for every certified officer, one
newcomer taken through application, training, examination and issue, and one certificate close
to expiry (so the warning shows)."""

from __future__ import annotations

import datetime as dt


def load_demo(demo) -> None:
    from sanxiang.accounts.models import User
    from sanxiang.registry.certificates import certificate_act
    from sanxiang.registry.choices import StaffType
    from sanxiang.registry.models import Officer

    supervisor = User.objects.get(username="sfj_supervisor")
    anchor = demo.anchor
    start = anchor.replace(month=1, day=1)
    trained = 0
    for ctx in demo.contexts.values():
        head = ctx.users.get("director")
        actor = head or supervisor
        for n, officer in enumerate(ctx.officers):
            if officer.agency_id != ctx.agency.pk or officer.certificate_no is None:
                continue
            # Most meet the yearly minimum; every fourth officer is short of it (the register shows it).
            hours = "32" if n % 4 == 3 else "64"
            certificate_act(actor=actor, officer=officer, action="training",
                            data={"on": min(start + dt.timedelta(days=40 + n), anchor), "hours": hours,
                                  "course": "公共法律知识、业务知识和行政执法技能培训"})
            trained += 1
    urban = demo.contexts["hl-cgj"]
    newcomer = Officer.objects.create(agency=urban.agency, name="郑新元", staff_type=StaffType.CIVIL_SERVANT)
    head = urban.users["director"]
    certificate_act(actor=head, officer=newcomer, action="apply",
                    data={"on": anchor - dt.timedelta(days=60), "enforcement_kinds": ["penalty", "inspection"]})
    certificate_act(actor=head, officer=newcomer, action="training",
                    data={"on": anchor - dt.timedelta(days=50), "hours": "64", "course": "新任执法人员岗前培训"})
    certificate_act(actor=supervisor, officer=newcomer, action="exam",
                    data={"on": anchor - dt.timedelta(days=30), "score": "86"})
    certificate_act(actor=supervisor, officer=newcomer, action="issue",
                    data={"on": anchor - dt.timedelta(days=20), "certificate_no": "41030020260188"})
    # A certificate running out soon (its last renewal, entered late, five years back): the
    # register and the early warning list it.
    closing = next(o for n, o in enumerate(urban.officers)
                   if o.agency_id == urban.agency.pk and o.certificate_no and n % 4 != 3)
    ends = anchor + dt.timedelta(days=25)
    certificate_act(actor=supervisor, officer=closing, action="renew",
                    data={"on": anchor, "valid_from": ends.replace(year=ends.year - 5) + dt.timedelta(days=1),
                          "valid_to": ends, "reason": "补录上次换证"})
    demo.report.extra["执法证培训记录"] = trained + 1
