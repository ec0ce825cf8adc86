from django import template

from jianguan.core.scoping import ADD, allowed

from ..models import AbnormalListing
from ..selectors import entity_credit

register = template.Library()


@register.inclusion_tag("credit/entity_section.html", takes_context=True)
def credit_section(context, entity):
    """{% load credit %}{% credit_section entity %}: the 信用与名单 card body of an entity's file."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "credit": entity_credit(entity),
        "can_add_credit": bool(user and allowed(user, ADD, AbnormalListing)),
    }
