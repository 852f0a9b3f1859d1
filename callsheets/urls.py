from datetime import date

from django.urls import path, register_converter

from .views import sheet


class IsoDateConverter:
    """YYYY-MM-DD; a date that does not exist (2026-13-45) is a 404, never a 500.

    Years 0001 and 9999 exist but leave no room for the week before or after (OverflowError
    on the sheet's neighbours), so only 1900–2999 match.
    """

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        parsed = date.fromisoformat(value)  # ValueError → the URL does not match
        if not 1900 <= parsed.year <= 2999:
            raise ValueError(f"{value} is outside the years a call sheet can have")
        return parsed

    def to_url(self, value) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


register_converter(IsoDateConverter, "isodate")

app_name = "callsheets"

urlpatterns = [
    path("sheet/", sheet.sheet_current, name="current"),
    path("sheet/<isodate:week>/", sheet.sheet_week, name="week"),
    path("sheet/<isodate:week>/print/", sheet.sheet_print, name="print"),
    path("sheet/entries/<int:pk>/log/", sheet.entry_log, name="entry_log"),
    path("sheet/entries/<int:pk>/skip/", sheet.entry_skip_view, name="entry_skip"),
]
