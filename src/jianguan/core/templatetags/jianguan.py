from django import template

from jianguan.core import audit

register = template.Library()


@register.filter
def change_rows(event):
    """An audit event's changes as (field label, before, after), with choice labels."""
    return audit.readable_changes(event)
