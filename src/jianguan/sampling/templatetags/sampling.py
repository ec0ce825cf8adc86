"""Template tags the other apps' pages use to show draws: the task page's wizard, the entity
file's 检查记录 section. Reads only, through sampling.selectors (scoped to the request's user)."""

from django import template

from .. import selectors
from ..forms import EntropyForm

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def draw_wizard(context, task):
    """{% draw_wizard task as w %}: the state of the task's draw steps (selectors.Wizard)."""
    w = selectors.wizard(task, _user(context))
    if w.pending is not None:
        d = w.pending
        initial = {"external_entropy": d.external_entropy, "entropy_source": d.entropy_source}
        w.entropy_form = EntropyForm(initial=initial)
    return w


@register.inclusion_tag("sampling/entity_section.html", takes_context=True)
def visits_section(context, entity):
    """{% load sampling %}{% visits_section entity %}: the 检查记录 card body of an entity's file."""
    user = _user(context)
    return {"entity": entity, "visits": selectors.entity_visits(entity, user) if user else []}
