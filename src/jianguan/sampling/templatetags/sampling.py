"""Template tags the other apps' pages use to show draws: the task page's wizard, the entity
file's 检查记录 section. Reads only, through sampling.selectors (scoped to the request's user)."""

from django import template
from django.utils import timezone

from .. import protocol as P
from .. import selectors
from ..forms import DeclarationForm, EntropyForm

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def draw_wizard(context, task):
    """{% draw_wizard task as w %}: the state of the task's draw steps (selectors.Wizard)."""
    w = selectors.wizard(task, _user(context))
    if w.pending is not None:
        w.entropy_form = EntropyForm()
    elif w.requires_entropy:
        w.declaration_form = DeclarationForm(initial={"entropy_kind": "digits"})
    return w


@register.filter
def declared_time(iso: str) -> str:
    """A declaration's announcement time (ISO 8601, UTC) as local time for a page."""
    try:
        return f"{timezone.localtime(P.parse_time(iso)):%Y-%m-%d %H:%M}"
    except (ValueError, TypeError):
        return ""


@register.filter
def entropy_format(fmt: str) -> str:
    """ "digits:3" → "3 位数字"; "numbers:7" → "7 个号码"."""
    try:
        kind, count = P.entropy_format(fmt)
    except ValueError:
        return ""
    return f"{count} {P.ENTROPY_KINDS[kind]}"


@register.inclusion_tag("sampling/entity_section.html", takes_context=True)
def visits_section(context, entity):
    """{% load sampling %}{% visits_section entity %}: the 检查记录 card body of an entity's file."""
    user = _user(context)
    return {"entity": entity, "visits": selectors.entity_visits(entity, user) if user else []}
