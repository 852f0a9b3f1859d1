"""The shape of input on /commitments/: the filters (query parameters), bulk actions, one-row actions."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, OuterRef, Q, Value, When

from ceocalls.limits import RESOLUTION, LimitedTextField
from ceocalls.roles import ALL_ROLES
from customers.models import Customer
from customers.selectors import customer_search

from ..models import Commitment, Executive

User = get_user_model()


def style(form: forms.Form, small: bool = False) -> None:
    """Bootstrap classes on every widget, so templates can render fields as they are."""
    size = " form-select-sm" if small else ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select" + size)
        elif not isinstance(widget, forms.CheckboxInput | forms.MultipleHiddenInput):
            widget.attrs.setdefault("class", "form-control" + size.replace("select", "control"))


OPEN_FIRST = Case(When(status=Commitment.Status.OPEN, then=Value(0)), default=Value(1))
SORTS = {
    "attention": (OPEN_FIRST, "due_date", "id"),
    "due": ("due_date", "id"),
    "-due": ("-due_date", "-id"),
    "made": ("created_at", "id"),
    "-made": ("-created_at", "-id"),
    "customer": ("customer__name", "due_date", "id"),
    "owner": ("owner__first_name", "owner__last_name", "due_date", "id"),
    "executive": ("call__executive__user__first_name", "call__executive__user__last_name", "due_date", "id"),
    "status": ("status", "due_date", "id"),
}
SORT_LABELS = {
    "attention": "Open first, by due date",
    "due": "Due date, soonest first",
    "-due": "Due date, latest first",
    "made": "Made, oldest first",
    "-made": "Made, newest first",
    "customer": "Customer",
    "owner": "Owner",
    "executive": "Made by",
    "status": "Status",
}


def owner_choices():
    """People a commitment can be given to: active users holding a role."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=ALL_ROLES) | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email or obj.get_username()


class ExecutiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.user.get_full_name() or obj.user.email


def _choice_error(param: str, noun: str) -> dict:
    return {"invalid_choice": f"{param}: %(value)s is not the id of {noun} you can filter by."}


class SearchTextField(forms.CharField):
    """Typed search text: a NUL is a space like any other (PostgreSQL refuses one), runs of space one."""

    def to_python(self, value):
        return " ".join(super().to_python(value).replace("\x00", " ").split())


class CommitmentFilterForm(forms.Form):
    """The query parameters of /commitments/ (CONTRACT §5). Every error names its parameter."""

    executive = ExecutiveChoiceField(
        queryset=Executive.objects.none(),
        required=False,
        label="Made by",
        empty_label="Any executive",
        error_messages=_choice_error("executive", "an executive"),
    )
    owner = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Any owner",
        error_messages=_choice_error("owner", "an owner"),
    )
    # A hidden id, shown as the customer's name: a <select> of every customer with a commitment
    # was 725 KB of the page at 100,000 customers. `customer_q` finds customers by name instead.
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages=_choice_error("customer", "a customer"),
    )
    customer_q = SearchTextField(
        required=False,
        max_length=200,
        label="Customer",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, domain or id", "autocomplete": "off"}),
        error_messages={"max_length": "customer_q: give at most 200 characters of a customer's name."},
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Commitment.Status.choices],
        required=False,
        error_messages={"invalid_choice": "status: %(value)s is not one of open, done, dropped."},
    )
    overdue = forms.ChoiceField(
        choices=[("", "All"), ("0", "All"), ("1", "Overdue only")],
        required=False,
        error_messages={"invalid_choice": "overdue: %(value)s is not 1 (overdue only) or 0."},
    )
    due_from = forms.DateField(
        required=False, label="Due from", error_messages={"invalid": "due_from: give a date as YYYY-MM-DD."}
    )
    due_to = forms.DateField(
        required=False, label="Due by", error_messages={"invalid": "due_to: give a date as YYYY-MM-DD."}
    )
    sort = forms.ChoiceField(
        choices=list(SORT_LABELS.items()),
        required=False,
        error_messages={"invalid_choice": "sort: %(value)s is not one of " + ", ".join(SORTS) + "."},
    )

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope if scope is not None else Commitment.objects.none()
        # The choices are the executives, people and customers with a commitment in scope: an
        # EXISTS per row of the small table (an index probe each), not a DISTINCT over the join
        # of every commitment. The customer is only ever looked up by its id.
        self.fields["executive"].queryset = (
            Executive.objects.filter(Exists(scope.filter(call__executive=OuterRef("pk"))))
            .select_related("user")
            .order_by("user__first_name", "user__last_name", "id")
        )
        self.fields["owner"].queryset = User.objects.filter(Exists(scope.filter(owner=OuterRef("pk")))).order_by(
            "first_name", "last_name", "email"
        )
        self.fields["customer"].queryset = Customer.objects.filter(Exists(scope.filter(customer=OuterRef("pk"))))
        for name in ("due_from", "due_to"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})
        style(self, small=True)

    def clean(self):
        data = super().clean()
        start, end = data.get("due_from"), data.get("due_to")
        if start and end and start > end:
            raise ValidationError(f"due_from ({start:%d %b %Y}) is after due_to ({end:%d %b %Y}).")
        return data

    def filter(self, queryset):
        """Applies the cleaned filters and the sort; call only when the form is valid."""
        data = self.cleaned_data
        if data.get("executive"):
            queryset = queryset.filter(call__executive=data["executive"])
        if data.get("owner"):
            queryset = queryset.filter(owner=data["owner"])
        if data.get("customer"):
            queryset = queryset.filter(customer=data["customer"])
        elif data.get("customer_q"):
            queryset = queryset.filter(customer__in=customer_search(query=data["customer_q"]).order_by().values("pk"))
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("overdue") == "1":
            queryset = queryset.overdue()
        if data.get("due_from"):
            queryset = queryset.filter(due_date__gte=data["due_from"])
        if data.get("due_to"):
            queryset = queryset.filter(due_date__lte=data["due_to"])
        return queryset.order_by(*SORTS[data.get("sort") or "attention"])

    def error_sentences(self) -> list[str]:
        return [str(message) for messages in self.errors.values() for message in messages]


class IdListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        ids = []
        for raw in values:
            try:
                ids.append(int(raw))
            except (TypeError, ValueError):
                raise ValidationError(f"{raw!r} is not a commitment id.") from None
        return ids

    def validate(self, value):
        if not value:
            raise ValidationError("Select at least one commitment with the boxes on the left.")


class BulkActionForm(forms.Form):
    ACTIONS = [
        ("done", "Mark done"),
        ("drop", "Drop"),
        ("reassign", "Reassign to"),
        ("move_due", "Move due date to"),
        ("told", "Customer was told"),
        ("not_told", "Customer was not told yet"),
    ]

    ids = IdListField()
    action = forms.ChoiceField(choices=ACTIONS)
    text = LimitedTextField(
        RESOLUTION,
        required=False,
        label="Resolution or reason",
        widget=forms.TextInput(attrs={"placeholder": "Resolution, or reason to drop"}),
    )
    owner = PersonChoiceField(queryset=User.objects.none(), required=False, empty_label="New owner…")
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # Set by the confirmation page's button: drop and reassign are applied only once confirmed.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices()
        style(self, small=True)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action in ("done", "drop") and not (data.get("text") or "").strip():
            what = "what was done" if action == "done" else "why it is dropped"
            self.add_error("text", f"Say {what}.")
        if action == "reassign" and not data.get("owner"):
            self.add_error("owner", "Choose the new owner.")
        if action == "move_due" and not data.get("due_date"):
            self.add_error("due_date", "Choose the new due date.")
        return data

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            if widget is not None and not widget.is_hidden:  # Bootstrap draws the field red
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class CompleteForm(StyledForm):
    resolution = LimitedTextField(RESOLUTION, widget=forms.Textarea(attrs={"rows": 2}), label="What was done")


class DropForm(StyledForm):
    reason = LimitedTextField(RESOLUTION, widget=forms.Textarea(attrs={"rows": 2}), label="Why it is dropped")


class ReassignForm(StyledForm):
    owner = PersonChoiceField(queryset=User.objects.none(), label="New owner", empty_label="Choose a person…")
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices()


class MoveDueForm(StyledForm):
    due_date = forms.DateField(label="New due date", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(required=False, max_length=500, label="Why")


class ToldForm(StyledForm):
    told = forms.TypedChoiceField(
        choices=[("1", "Yes, the customer was told"), ("0", "Not yet")], coerce=lambda v: v == "1"
    )
