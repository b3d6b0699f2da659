from django import template

register = template.Library()


@register.inclusion_tag("licensing/portal/_guide.html")
def service_guide(item):
    """The 服务指南 card of a licensing item (nothing for other items or without a guide)."""
    from sanxiang.licensing.selectors import public_guide

    return {"guide": public_guide(item) if item.kind == "licensing" else None}
