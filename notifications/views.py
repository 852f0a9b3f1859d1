from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from callsheets.models import Executive
from ceocalls import roles
from ceocalls.redirects import safe_next

from . import services
from .forms import PreferencesForm


@require_GET
def calendar_feed(request, token):
    """The executive's weekly slots for calendar apps; the secret token is the only credential."""
    executive = Executive.objects.active().select_related("user").filter(calendar_token=token).first()
    if executive is None:
        raise Http404("No calendar at this address. It may have been replaced by a new one.")
    response = HttpResponse(
        services.calendar_feed_build(executive=executive), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="ceo-calls.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


def executives_managed_by(user):
    """Program admins manage every executive's feed; an executive only their own."""
    if roles.is_program_admin(user):
        return Executive.objects.all()
    return Executive.objects.filter(user=user)


@login_required
@require_POST
def calendar_token_rotate(request, executive_id):
    executive = get_object_or_404(executives_managed_by(request.user), pk=executive_id)
    services.executive_rotate_calendar_token(executive=executive)
    whose = "Your" if executive.user_id == request.user.pk else f"{executive.name}'s"
    messages.success(
        request,
        f"{whose} calendar feed has a new address; the old one no longer works. "
        "Subscribe again with the new address and remove the old calendar.",
    )
    return redirect(safe_next(request, reverse("notifications:preferences")))


@login_required
def preferences(request):
    """Which e-mails the signed-in user gets; an executive also finds their calendar feed here."""
    preference = services.preference_for(user=request.user)
    form = PreferencesForm(request.POST or None, instance=preference, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.preference_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Your e-mail preferences are saved.")
        return redirect("notifications:preferences")
    executive = Executive.objects.filter(user=request.user).first() if roles.is_executive(request.user) else None
    return render(
        request,
        "notifications/preferences_edit.html",
        {"form": form, "executive": executive, "has_email": bool(request.user.email)},
    )
