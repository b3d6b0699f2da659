"""预警: a licence not yet issued within 10 working days of the decision (行政许可法第四十四条)."""

from __future__ import annotations

import datetime as dt

from sanxiang.common.alerts import Finding, alert_rule


@alert_rule("licence_certificate_due", "许可证件颁发期限即将届满或已超期", threshold_label="提前天数", default=3,
            basis="《行政许可法》第四十四条")
def licence_certificate_due(threshold, on: dt.date):
    from sanxiang.cases.models import Case

    horizon = on + dt.timedelta(days=int(threshold or 0))
    for case in Case.objects.filter(state="certificate", flow__code="licensing_general", step_due__isnull=False,
                                    step_due__lte=horizon).select_related("agency"):
        late = case.step_due < on
        text = (f"案件{case.number}已作出准予许可决定，许可证件应于{case.step_due}前颁发、送达"
                f"{'，已超期' if late else ''}（《行政许可法》第四十四条）")
        yield Finding(agency_id=case.agency_id, subject=case, text=text, due=case.step_due, case_id=case.pk,
                      user_ids=tuple(o.user_id for o in case.officers.all() if o.user_id),
                      roles=("unit_head",), key="certificate")
