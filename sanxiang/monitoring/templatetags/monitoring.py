"""{% load monitoring %}{% workbench_alerts %}: the alerts panel of the staff workbench."""

from django import template

from sanxiang.monitoring.selectors import workbench_alerts as alerts_for

register = template.Library()


@register.inclusion_tag("monitoring/_workbench_panel.html", takes_context=True)
def workbench_alerts(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"workbench_alerts": alerts_for(user) if user is not None else [], "request": request}
