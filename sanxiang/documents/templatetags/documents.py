"""{% case_documents case %}: the documents panel, for the case page to include in one line."""

from django import template

from sanxiang.documents.panel import panel_context

register = template.Library()


@register.inclusion_tag("documents/_case_documents.html", takes_context=True)
def case_documents(context, case):
    request = context["request"]
    return {**panel_context(request, case), "request": request, "csrf_token": context.get("csrf_token"),
            "back": "case"}
