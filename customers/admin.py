from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from ceocalls.admin_actions import action_with_text, run_each, sentence

from .models import Contact, Customer, Flag, FlagNote, SupportTicket, SurveyResponse, Tier
from .phones import NOT_DIALABLE, contact_normalise_phone
from .services import customers as customer_services
from .services import flags as flag_services
from .services.customers import contact_set_phones
from .services.tiers import tier_slug_for


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "title", "email", "phone", "dialled_as", "timezone", "is_primary", "do_not_call"]
    readonly_fields = ["dialled_as"]

    @admin.display(description="Dialled as")
    def dialled_as(self, obj):
        return dialled_as(obj)


def dialled_as(contact) -> str:
    """'+1 312-555-0101 ext. 12', or why the number has no link."""
    if not contact or not contact.phone:
        return "—"
    number = contact.phone_number
    return number.display if number.dialable else f"{NOT_DIALABLE}: shown as written"


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    """The company's segment labels and the builder's multipliers (also on /program/policy/)."""

    list_display = ["name", "slug", "multiplier", "customer_count"]
    list_editable = ["multiplier"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug", "multiplier"]

    def get_readonly_fields(self, request, obj=None):
        return ["slug"]  # made from the first name; customers refer to it, so it never changes

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(customer_count=Count("customers"))

    @admin.display(description="Customers", ordering="customer_count")
    def customer_count(self, obj):
        return obj.customer_count

    def has_delete_permission(self, request, obj=None):
        # A tier with customers is protected by the database; the default tier is what a new customer gets.
        return super().has_delete_permission(request, obj) and (obj is None or obj.slug != Customer.Tier.SMB)

    def save_model(self, request, obj, form, change):
        if not obj.slug:
            obj.slug = tier_slug_for(obj.name)
        super().save_model(request, obj, form, change)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "external_id",
        "domain",
        "tier",
        "annual_revenue",
        "timezone",
        "country",
        "lifecycle_status",
    ]
    list_filter = ["tier", "lifecycle_status"]
    list_select_related = ["tier"]
    search_fields = ["name", "external_id", "domain", "contacts__email"]
    inlines = [ContactInline]
    show_full_result_count = False
    # The lifecycle changes through customer_set_lifecycle: the actions below.
    readonly_fields = ["lifecycle_status"]
    actions = ["mark_active", "mark_at_risk", "mark_churned"]

    def save_formset(self, request, form, formset, change):
        """Contacts edited here are read like every other path (customers.phones), in the
        customer's country or time zone as just saved."""
        contacts = formset.save(commit=False)
        for contact in contacts:
            contact_normalise_phone(contact, customer=form.instance)
            contact.save()
        for contact in formset.deleted_objects:
            contact.delete()
        formset.save_m2m()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"country", "timezone"} & set(form.changed_data):
            contact_set_phones(customer=obj)

    def _set_lifecycle(self, request, queryset, status):
        label = Customer.Lifecycle(status).label.lower()
        run_each(
            self,
            request,
            queryset,
            lambda c: customer_services.customer_set_lifecycle(customer_id=c.pk, by=request.user, status=status),
            f"marked {label}",
        )

    @admin.action(description="Mark active", permissions=["change"])
    def mark_active(self, request, queryset):
        self._set_lifecycle(request, queryset, Customer.Lifecycle.ACTIVE)

    @admin.action(description="Mark at risk", permissions=["change"])
    def mark_at_risk(self, request, queryset):
        self._set_lifecycle(request, queryset, Customer.Lifecycle.AT_RISK)

    @admin.action(description="Mark churned (never called again)", permissions=["change"])
    def mark_churned(self, request, queryset):
        self._set_lifecycle(request, queryset, Customer.Lifecycle.CHURNED)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "title", "email", "phone", "dialled", "is_primary", "do_not_call"]
    list_filter = ["is_primary", "do_not_call"]
    search_fields = ["name", "email", "phone", "phone_e164", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    readonly_fields = ["dialled"]

    @admin.display(description="Dialled as")
    def dialled(self, obj):
        return dialled_as(obj)

    def save_model(self, request, obj, form, change):
        contact_normalise_phone(obj)
        super().save_model(request, obj, form, change)


@admin.register(SupportTicket)
class SupportTicketAdmin(admin.ModelAdmin):
    list_display = [
        "external_id",
        "subject",
        "customer",
        "source",
        "status",
        "priority",
        "escalated",
        "reopen_count",
        "created_at",
    ]
    list_filter = ["source", "status", "priority", "escalated", "satisfaction"]
    search_fields = ["external_id", "subject", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer", "requester"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["external_id", "customer", "kind", "score", "short_comment", "responded_at", "source"]
    list_filter = ["kind", "source", "score"]
    search_fields = ["external_id", "comment", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer", "contact"]
    date_hierarchy = "responded_at"

    @admin.display(description="Comment")
    def short_comment(self, obj):
        return obj.comment[:80]


class FlagNoteInline(admin.TabularInline):
    model = FlagNote
    extra = 0
    # Notes are added on /flags/<id>/ through flag_add_note.
    fields = ["author", "text", "made_urgent", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    inlines = [FlagNoteInline]
    list_display = ["customer", "urgency", "status", "origin", "raised_by", "created_at", "not_placed_reason"]
    list_filter = ["status", "urgency", "origin"]
    search_fields = ["customer__name", "reason"]
    list_select_related = ["customer", "raised_by"]
    # A flag is raised on /flags/new/ (or by a ticket tag), placed by the builder, answered by a
    # call and dismissed with the action below: every one of those writes is a flag_* service.
    readonly_fields = [f.name for f in Flag._meta.fields]
    actions = ["dismiss"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Dismiss… (asks why; the lead reads it)", permissions=["change"])
    def dismiss(self, request, queryset):
        def run(ids, reason):
            with transaction.atomic():  # all or nothing, like the bulk actions on /commitments/
                for flag in queryset.select_related("customer"):
                    try:
                        flag_services.flag_dismiss(flag_id=flag.pk, by=request.user, reason=reason)
                    except ValidationError as exc:
                        raise ValidationError(f"{flag}: {sentence(exc)} Nothing was dismissed.") from None
            return f"{len(ids)} flag{'s'[: len(ids) != 1]} dismissed."

        return action_with_text(
            self,
            request,
            queryset,
            action="dismiss",
            title="Dismiss these flags",
            label="Why they are dismissed",
            button="Dismiss",
            run=run,
            help="The support lead who raised each flag reads this reason on the flag's page.",
        )


@admin.register(FlagNote)
class FlagNoteAdmin(admin.ModelAdmin):
    list_display = ["flag", "author", "made_urgent", "created_at"]
    list_filter = ["made_urgent"]
    search_fields = ["text", "flag__customer__name"]
    list_select_related = ["flag__customer", "author"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
