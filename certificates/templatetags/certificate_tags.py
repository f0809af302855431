"""The "Certificates and PD hours" section of /me/ (registrations sits below certificates, so
its template asks for the section by tag instead of importing this app)."""

from django import template

from ..selectors import transcript

register = template.Library()


@register.inclusion_tag("certificates/_transcript.html", takes_context=True)
def my_transcript(context) -> dict:
    return {"transcript": transcript(context["request"].user)}
