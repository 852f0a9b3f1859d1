"""Admin actions that call a service: the admin is one more door, and every write goes through the
same `commitment_*`, `flag_*`, `entry_*` services as the pages, so their rules and history hold."""

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse


def sentence(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class SavesThroughServices:
    """For a ModelAdmin whose save_model calls a service: its form shows the service's rules beside
    the fields first; a refusal that still comes from the service is shown as a message, not a 500
    (the admin's transaction is rolled back, so nothing is half saved)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, f"Nothing was saved: {sentence(exc)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def run_each(modeladmin, request, objects: Iterable, run: Callable, done: str) -> None:
    """Calls `run(obj)` for each object; says how many took it and why the others did not."""
    objects = list(objects)
    ok, refused = 0, []
    for obj in objects:
        try:
            run(obj)
        except ValidationError as exc:
            refused.append(f"{obj}: {sentence(exc)}")
        else:
            ok += 1
    if ok:
        modeladmin.message_user(request, f"{ok} of {len(objects)} {done}.", messages.SUCCESS)
    for line in refused:
        modeladmin.message_user(request, line, messages.ERROR)


def action_with_text(
    modeladmin, request, queryset, *, action: str, title: str, label: str, button: str, run: Callable, help: str = ""
):
    """An action that needs a sentence (what was done, why it is dropped or dismissed).

    The first call answers with a page asking for it (server-side, like "delete selected"); its
    button posts the selection again with the text, and then `run(ids, text)` is called once and
    returns the success message. A refusal (ValidationError) is shown on the change list.
    """
    text = (request.POST.get("text") or "").strip()
    error = ""
    if request.POST.get("post") == "yes":
        if text:
            try:
                message = run([obj.pk for obj in queryset], text)
            except ValidationError as exc:
                modeladmin.message_user(request, sentence(exc), messages.ERROR)
            else:
                modeladmin.message_user(request, message, messages.SUCCESS)
            return None
        error = f"{label}: write a sentence; nothing was changed."
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "objects": list(queryset),
        "action": action,
        "label": label,
        "button": button,
        "help": help,
        "text": text,
        "error": error,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/action_with_text.html", context)
