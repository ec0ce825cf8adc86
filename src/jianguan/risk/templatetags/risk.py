from django import template

from ..selectors import entity_risk, may_see_scores

register = template.Library()


@register.inclusion_tag("risk/entity_section.html", takes_context=True)
def risk_section(context, entity):
    """{% load risk %}{% risk_section entity %}: the 信用风险分类 card body of an entity's file.

    Staff only: the entity page itself is scoped; scores and explanations are shown only to
    the roles of selectors.may_see_scores."""
    request = context.get("request")
    user = getattr(request, "user", None)
    show = may_see_scores(user)
    return {"show": show, "risk": entity_risk(entity, user) if show else None}
