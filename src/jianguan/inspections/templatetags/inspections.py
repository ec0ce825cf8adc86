"""{% load inspections %}{% inspections_section entity %}: the 检查结果 card body of an entity's
file (staff pages), read through inspections.selectors (scoped to the request's user)."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("inspections/entity_section.html", takes_context=True)
def inspections_section(context, entity):
    request = context.get("request")
    user = getattr(request, "user", None)
    records = selectors.entity_results(entity, user) if user else []
    return {"entity": entity, "records": records}
