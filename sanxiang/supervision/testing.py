"""Test helpers of the supervision app: a complaint and a supervision matter on the records
world's case, for the access matrix and the app's own tests."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone


def ensure_calendar_years() -> None:
    """Tests run on any date: declare next year in the working-day calendar if the installed
    chinesecalendar does not know it yet (deadlines near New Year fall into it)."""
    from sanxiang.common.models import CalendarYear
    from sanxiang.common.services import record_save
    from sanxiang.common.workdays import known_years

    for year in (timezone.localdate().year, timezone.localdate().year + 1):
        if year not in known_years() and not CalendarYear.objects.filter(year=year).exists():
            record_save(CalendarYear(year=year, source="测试：按周一至周五计算"), actor="factory")


def due_in(days: int = 20) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def supervision_objects(w):
    """(complaint, matter, document) on `w` (a RecordsWorld), made once and cached on it."""
    cached = getattr(w, "_supervision", None)
    if cached is not None:
        return cached
    from sanxiang.supervision.complaints import complaint_submit
    from sanxiang.supervision.matter_documents import matter_document_issue
    from sanxiang.supervision.matter_services import matter_answer, matter_open

    ensure_calendar_years()
    complaint, code = complaint_submit(content="执法人员现场执法未出示执法证件，态度粗暴。", category="conduct",
                                       agency=w.world.agency)
    matter = matter_open(actor=w.world.sam, source="inspection", title="案卷抽查发现程序问题",
                         description="送达回证缺少受送达人签名。", case=w.case, due_on=due_in())
    document = matter_document_issue(matter=matter, kind="supervision_notice", actor=w.world.sam)
    matter = matter_answer(matter=matter, actor=w.world.erin, text="已补正送达回证并组织培训。",
                           files=[SimpleUploadedFile("整改报告.txt", "整改报告".encode())])
    w._supervision = (complaint, matter, document, code)
    return w._supervision
