from django import forms

from .models import ImportRun

MAX_UPLOAD_BYTES = 2 * 1024**3


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=ImportRun.Kind.choices)
    file = forms.FileField(label="CSV file", help_text="UTF-8, comma-separated, with a header row.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 2 GB; split it or use the import commands.")
        return upload
