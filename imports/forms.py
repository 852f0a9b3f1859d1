from django import forms

from .formats import kind_of, recognise
from .models import ImportRun
from .reader import FileInvalid, open_rows

MAX_UPLOAD_BYTES = 2 * 1024**3
RECOGNISE = "auto"


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds",
        choices=[(RECOGNISE, "Recognise it from the header row"), *ImportRun.Kind.choices],
        initial=RECOGNISE,
    )
    file = forms.FileField(
        label="CSV or Excel file",
        help_text="CSV (UTF-8, comma-separated) or Excel .xlsx (the first sheet), with a header row.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 2 GB; split it or use the import commands.")
        return upload

    def clean(self):
        data = super().clean()
        data["recognised"] = False
        if data.get("kind") == RECOGNISE and data.get("file"):
            fmt = self._recognise(data["file"])
            if fmt is not None:
                data["kind"], data["recognised"] = kind_of(fmt), True
        return data

    def _recognise(self, upload):
        """The format the header row says, or a sentence beside the choice asking to pick one."""
        header = []
        try:
            upload.seek(0)
            rows = open_rows(upload)
            try:
                header = rows.read_header()
            finally:
                rows.detach()
        except FileInvalid as exc:
            self.add_error("file", f"{upload.name} {exc.problems[0][2]}.")
            return None
        finally:
            upload.seek(0)
        fmt = recognise(header)
        if fmt is None:
            shown = ", ".join(h.strip() for h in header[:6] if h.strip())
            self.add_error(
                "kind",
                f"The header row ({shown or 'empty'}{'…' if len(header) > 6 else ''}) is not one of the formats "
                "we know, or fits two of them: choose what the file holds.",
            )
        return fmt
