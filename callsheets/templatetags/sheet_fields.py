"""Bootstrap 5 form fields rendered in Python, for the forms the call sheet repeats on every card.

`{{ field|as_crispy_field }}` renders each field through crispy's nested templates and Django's
widget templates: on a sheet of six cards that was 54 fields and about two thirds of the request
(bench/FINDINGS.md). `{% sheet_field form.notes %}` writes the same markup (label, widget with
Bootstrap classes, errors as `.invalid-feedback`, help text) straight from the bound field.

`owner_select=True` renders a promise's owner `<select>` with only its chosen person: the full list
of people is on the page once (`<template id="owner-options">`) and static/js/sheet.js copies it
into each owner select, so a sheet does not carry one list of every active user per row.
"""

from django import forms, template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

CLASSES = {
    forms.CheckboxInput: "checkboxinput form-check-input",
    forms.Select: "select form-select",
    forms.Textarea: "textarea form-control",
    forms.DateTimeInput: "datetimeinput form-control",
    forms.DateInput: "dateinput form-control",
    forms.NumberInput: "numberinput form-control",
}


def _css_class(widget) -> str:
    for kind, css in CLASSES.items():
        if isinstance(widget, kind):
            return css
    return "form-control"


def _attrs(bf, ids: list[str]) -> dict:
    widget = bf.field.widget
    attrs = bf.build_widget_attrs(dict(widget.attrs), widget)
    attrs["class"] = " ".join(filter(None, [_css_class(widget), attrs.get("class", ""), bf.errors and "is-invalid"]))
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if bf.auto_id:
        attrs["id"] = bf.auto_id
    return attrs


def flatatt(attrs: dict) -> str:
    """Django's forms.utils.flatatt without its format_html_join per attribute (a third of this file's time)."""
    parts = []
    for key, value in attrs.items():
        if value is True:
            parts.append(f" {key}")
        elif value is not False and value is not None:
            parts.append(f' {key}="{conditional_escape(value)}"')
    return mark_safe("".join(parts))


def _options(optgroups) -> str:
    parts = []
    for group, options, _index in optgroups:
        html = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((o["value"], mark_safe(" selected") if o["selected"] else "", o["label"]) for o in options),
        )
        parts.append(format_html('<optgroup label="{}">{}</optgroup>', group, html) if group else html)
    return mark_safe("".join(parts))


def _widget(bf, attrs: dict, *, owner_select: bool) -> str:
    widget = bf.field.widget
    if owner_select:  # only the chosen person; the list itself is on the page once
        value = bf.value()
        name = bf.form.owner_name(value)
        option = format_html('<option value="{}" selected>{}</option>', value, name) if name else ""
        return format_html('<select name="{}"{} data-owner-select>{}</select>', bf.html_name, flatatt(attrs), option)
    context = widget.get_context(bf.html_name, bf.value(), attrs)["widget"]
    name, value, final = context["name"], context["value"], flatatt(context["attrs"])
    if isinstance(widget, forms.Select):
        return format_html('<select name="{}"{}>{}</select>', name, final, _options(context["optgroups"]))
    if isinstance(widget, forms.Textarea):
        return format_html('<textarea name="{}"{}>\n{}</textarea>', name, final, value or "")
    shown = format_html(' value="{}"', value) if value not in (None, "") else ""
    return format_html('<input type="{}" name="{}"{}{}>', context["type"], name, shown, final)


@register.simple_tag
def sheet_field(bf, owner_select: bool = False):
    """One field as crispy's Bootstrap 5 pack writes it, at a fraction of the cost."""
    field_id = bf.auto_id
    help_id = f"{field_id}_helptext" if bf.help_text else ""
    error_id = f"{field_id}_error" if bf.errors else ""
    widget = _widget(bf, _attrs(bf, [i for i in (error_id, help_id) if i]), owner_select=owner_select)
    errors = ""
    if bf.errors:
        errors = format_html(
            '<div id="{}" class="invalid-feedback">{}</div>',
            error_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((n, field_id, e) for n, e in enumerate(bf.errors, 1)),
            ),
        )
    help_text = format_html('<div id="{}" class="form-text">{}</div>', help_id, bf.help_text) if help_id else ""
    label = conditional_escape(bf.label)
    if isinstance(bf.field.widget, forms.CheckboxInput):
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check">{}<label for="{}" class="form-check-label">{}</label>'
            "{}{}</div></div>",
            field_id, widget, field_id, label, errors, help_text,
        )  # fmt: skip
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label">{}</label>{}{}{}</div>',
        field_id, field_id, label, widget, errors, help_text,
    )  # fmt: skip


@register.simple_tag
def management_form(formset):
    """The formset's four hidden counters, without a template render per input."""
    form = formset.management_form
    return mark_safe(
        "".join(
            f'<input type="hidden" name="{conditional_escape(bf.html_name)}" '
            f'value="{conditional_escape("" if bf.value() is None else bf.value())}" id="{conditional_escape(bf.auto_id)}">'
            for bf in form
        )
    )


# Widgets fast_widget writes itself; anything else (radios, checkbox lists, files) renders as usual.
FAST_WIDGETS = (forms.Select, forms.Textarea, forms.TextInput, forms.NumberInput, forms.DateInput, forms.HiddenInput)
SLOW_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.MultipleHiddenInput, forms.FileInput)


@register.simple_tag
def fast_widget(bf):
    """`{{ form.field }}` without Django's widget templates (one template render per <option>).

    The widget's own attributes are kept as they are (forms.commitments.style sets the classes).
    """
    widget = bf.field.widget
    if not isinstance(widget, FAST_WIDGETS) or isinstance(widget, SLOW_WIDGETS):
        return bf.as_widget()
    attrs = bf.build_widget_attrs(dict(widget.attrs), widget)
    if bf.auto_id:
        attrs["id"] = bf.auto_id
    return _widget(bf, attrs, owner_select=False)
