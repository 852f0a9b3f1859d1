from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def calendar_feed_url(executive) -> str:
    """The executive's secret feed address, absolute (SITE_URL), for copying into a calendar app."""
    return f"{settings.SITE_URL}{reverse('notifications:calendar_feed', args=[executive.calendar_token])}"


@register.simple_tag
def calendar_webcal_url(executive) -> str:
    """The same address as webcal://, which opens the subscribe dialog of Apple Calendar and Outlook."""
    url = calendar_feed_url(executive)
    return "webcal://" + url.split("://", 1)[1]
