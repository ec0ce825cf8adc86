from django import template

from jianguan.core.scoping import CHANGE

from ..cells import text
from ..selectors import body_file, boost_text

register = template.Library()


@register.inclusion_tag("testing/entity_section.html", takes_context=True)
def testing_section(context, entity):
    """{% load testing %}{% testing_section entity %}: the testing-body card of an entity page:
    qualification, grade with its explanation, follow-ups, PT and what it does to the chance of
    being drawn, recent changes."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "e": entity,
        "f": body_file(user, entity),
        "boost": boost_text(entity),
        "can_change": type(entity).objects.restrict(user, CHANGE).filter(pk=entity.pk).exists(),
    }


@register.filter
def num(value):
    """A decimal without trailing zeros (41.53580000 → 41.5358); — when empty."""
    return text(value)
