"""Demo data of the supervisor's platform: the rules seeded, the tallies counted, today's early
warnings raised and the digests made, so the dashboard, the alerts page and the workbench panels
show the demo cases at once (called by sanxiang.demo through load_demo)."""

from __future__ import annotations


def load_demo(demo) -> None:
    from sanxiang.monitoring.services import alert_rules_install, alerts_run, digests_make
    from sanxiang.monitoring.tally import rebuild

    alert_rules_install()
    rebuild()
    raised = alerts_run()
    digests = digests_make()
    demo.report.extra["预警"] = demo.report.extra.get("预警", 0) + sum(raised.values())
    demo.report.extra["预警日报"] = demo.report.extra.get("预警日报", 0) + len(digests)
    demo.out(f"监督平台：预警 {sum(raised.values())} 条，预警日报 {len(digests)} 份")
