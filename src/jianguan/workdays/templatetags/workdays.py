from django import template

register = template.Library()


@register.inclusion_tag("workdays/_deadline.html")
def deadline(value, overdue=False):
    """A deadline (workdays.core.Deadline or a date) with 「暂定」 when it is provisional and
    「已超期」 when `overdue`."""
    day = getattr(value, "date", value)
    return {"day": day, "provisional": getattr(value, "provisional", False), "overdue": overdue}
