from django import template

from ..selectors import entity_public_results

register = template.Library()


@register.inclusion_tag("publication/entity_section.html")
def publication_section(entity):
    """{% load publication %}{% publication_section entity %}: the 公示记录 card body of an
    entity's file — what went public about it, withdrawals included (归集到市场主体名下)."""
    return {"entries": entity_public_results(entity)}
