"""Posting a Django admin change form as a browser would: every field as the page shows it."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select, self._textarea = None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside or not a.get("name"):
            if tag == "option" and self._select and "selected" in a:
                self.data.setdefault(self._select, []).append(a.get("value", ""))
            return
        name = a["name"]
        if tag == "input" and a.get("type") not in ("submit", "button", "checkbox", "radio"):
            self.data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "input" and "checked" in a:
            self.data.setdefault(name, []).append(a.get("value", "on"))
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            self.data.setdefault(name, [""])

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        if tag == "select":
            self._select = None
        if tag == "textarea" and self._textarea:
            self.data[self._textarea][-1] = self.data[self._textarea][-1].lstrip("\n")
            self._textarea = None


def change_form_data(html: str, form_id: str, **changes) -> dict:
    """The fields of the admin form `form_id` (e.g. "commitment_form") with `changes` applied."""
    parser = _FormFields(form_id)
    parser.feed(html)
    data = {k: v if len(v) > 1 else v[0] for k, v in parser.data.items()}
    data.pop("csrfmiddlewaretoken", None)
    data.update(changes)
    return data
