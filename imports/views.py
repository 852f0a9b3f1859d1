from celery.result import AsyncResult
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ceocalls.roles import PROGRAM_ADMINS, role_required

from . import samples, signing
from .forms import UploadForm
from .models import ImportRun, WebhookEvent
from .records import RecordInvalid
from .services import runs, webhooks


@role_required(PROGRAM_ADMINS)
def run_list(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = runs.import_run_start(
            upload=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
            by=request.user,
            recognised=form.cleaned_data["recognised"],
        )
        return redirect("imports:detail", pk=run.pk)
    page = Paginator(ImportRun.objects.select_related("created_by"), 20).get_page(request.GET.get("page"))
    return render(request, "imports/run_list.html", {"form": form, "page": page, "samples": samples.sample_links()})


@role_required(PROGRAM_ADMINS)
def sample_file(request, name):
    """A small file of one format, to see its columns or to start from."""
    text = samples.sample_csv(name)
    if text is None:
        raise Http404("No sample of that name.")
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sample-{name}"'
    return response


@role_required(PROGRAM_ADMINS)
def run_detail(request, pk):
    run = get_object_or_404(ImportRun, pk=pk)
    template = "imports/_run_status.html" if request.htmx else "imports/run_detail.html"
    return render(request, template, {"run": run, "progress": _progress(run)})


@role_required(PROGRAM_ADMINS)
@require_POST
def run_confirm(request, pk):
    run = get_object_or_404(ImportRun, pk=pk)
    try:
        runs.import_run_confirm(run_id=run.pk, unmatched=request.POST.get("unmatched") or ImportRun.Unmatched.ERROR)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("imports:detail", pk=run.pk)


@role_required(PROGRAM_ADMINS)
def run_left_out(request, pk):
    """The rows the check or the import rejected or skipped, as CSV with a last column `reason`."""
    run = get_object_or_404(ImportRun, pk=pk)
    if not run.left_out:
        raise Http404("This import left no rows out.")
    try:
        stream = run.left_out.open("rb")
    except OSError:
        raise Http404("The file of rows left out is no longer stored.") from None
    name = f"{run.original_name.rsplit('.', 1)[0]}-rows-left-out.csv"
    return FileResponse(stream, as_attachment=True, filename=name, content_type="text/csv; charset=utf-8")


def _progress(run: ImportRun) -> dict | None:
    """How far a task has read the file, from the task's state in the result store."""
    if not (run.is_running and run.task_id):
        return None
    try:
        info = AsyncResult(run.task_id).info
    except Exception:
        return None
    if not isinstance(info, dict) or "bytes" not in info:
        return {"rows": 0, "percent": 0}
    percent = min(99, int(100 * info["bytes"] / run.size_bytes)) if run.size_bytes else 0
    return {"rows": info.get("rows", 0), "percent": percent}


@csrf_exempt
@require_POST
def tickets_webhook(request):
    return _receive(request, WebhookEvent.Source.TICKETS)


@csrf_exempt
@require_POST
def surveys_webhook(request):
    return _receive(request, WebhookEvent.Source.SURVEYS)


def _receive(request, source: str) -> JsonResponse:
    """CONTRACT §6: size limit (413), signature (401), JSON and fields (400), stored (202)."""
    limit = settings.WEBHOOK_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _error(400, "Content-Length is not a number")
    if declared > limit:
        return _error(413, f"body is larger than {limit} bytes")
    body = request.body
    if len(body) > limit:
        return _error(413, f"body is larger than {limit} bytes")
    if not _signed(request, body, source):
        also = " or X-Zendesk-Webhook-Signature" if source == WebhookEvent.Source.TICKETS else ""
        return _error(401, f"missing or wrong signature (X-Signature: sha256=<HMAC-SHA256 of the body>{also})")
    try:
        event, created = webhooks.webhook_event_receive(source=source, body=body, headers=request.headers)
    except RecordInvalid as exc:
        column, message = exc.errors[0]
        more = f" (and {len(exc.errors) - 1} more)" if len(exc.errors) > 1 else ""
        return JsonResponse({"error": f"{column}: {message}{more}", "field": column}, status=400)
    return JsonResponse({"id": event.pk, "status": event.status, "duplicate": not created}, status=202)


def _signed(request, body: bytes, source: str) -> bool:
    if signing.signature_ok(body, request.headers.get("X-Signature", ""), settings.WEBHOOK_SECRET):
        return True
    return source == WebhookEvent.Source.TICKETS and signing.zendesk_signature_ok(
        body,
        request.headers.get("X-Zendesk-Webhook-Signature", ""),
        request.headers.get("X-Zendesk-Webhook-Signature-Timestamp", ""),
        settings.ZENDESK_WEBHOOK_SECRET or settings.WEBHOOK_SECRET,
    )


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)
