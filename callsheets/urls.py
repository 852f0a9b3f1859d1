from datetime import date

from django.urls import path, register_converter

from .models import FIRST_YEAR, LAST_YEAR, year_in_range
from .views import followups, sheet


class IsoDateConverter:
    """YYYY-MM-DD; a date that does not exist (2026-13-45) is a 404, never a 500.

    Only the years of models.year_in_range match (1900–2999): 0001 and 9999 leave no room for
    the sheet's neighbouring weeks.
    """

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        parsed = date.fromisoformat(value)  # ValueError → the URL does not match
        if not year_in_range(parsed):
            raise ValueError(f"{value} is outside the years a call sheet can have ({FIRST_YEAR}–{LAST_YEAR})")
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
    path("calls/<int:pk>/follow-up/", followups.call_follow_up, name="call_follow_up"),
    path("sheet/urgent/<int:pk>/log/", sheet.urgent_log, name="urgent_log"),
    path("sheet/urgent/<int:pk>/acknowledge/", sheet.urgent_acknowledge, name="urgent_acknowledge"),
]
