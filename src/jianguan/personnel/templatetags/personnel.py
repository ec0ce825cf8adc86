from django import template
from django.utils import timezone

from ..selectors import conflict_list

register = template.Library()


@register.inclusion_tag("personnel/entity_section.html", takes_context=True)
def conflicts_section(context, entity):
    """{% load personnel %}{% conflicts_section entity %}: the 回避声明 card body of an entity's
    file — the declarations naming the entity that the caller may see."""
    request = context.get("request")
    today = timezone.localdate()
    rows = conflict_list(user=getattr(request, "user", None), entity=entity).select_related(
        "inspector__unit"
    )
    return {"conflicts": [(c, c.active_on(today)) for c in rows]}
