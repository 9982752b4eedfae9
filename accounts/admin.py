"""Users (/admin/users*): search and filters (churn risk included), the activate / deactivate /
change plan actions through the accounts services, and the subscription history.

The operations app extends the user page with what it owns (notes, activity, the user's
champions and sessions): ``adminpanel.admin.users``."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from accounts import services as account_services
from accounts.models import Plan, SubscriptionEvent, SubscriptionStatus, User, normalize_email
from accounts.selectors import churn_risk_q
from core.admin import ReadOnlyAdmin
from core.paginators import EstimatedCountPaginator


class ChurnRiskFilter(admin.SimpleListFilter):
    """/admin/users/churn-risk: no activity for CHURN_RISK_DAYS."""

    title = "churn risk"
    parameter_name = "churn_risk"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", f"No activity for {settings.CHURN_RISK_DAYS}+ days")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        return queryset.filter(churn_risk_q(days=settings.CHURN_RISK_DAYS)) if self.value() == "yes" else queryset


class ChangePlanForm(forms.Form):
    plan = forms.ChoiceField(choices=Plan.choices)
    status = forms.ChoiceField(choices=SubscriptionStatus.choices)


# Superusers are above both staff groups: only a superuser may edit, deactivate or delete one.
def _may_manage(request: HttpRequest, user: User | None) -> bool:
    return user is None or not user.is_superuser or request.user.is_superuser


def _manageable(request: HttpRequest, users: QuerySet[User]) -> QuerySet[User]:
    return users if request.user.is_superuser else users.exclude(is_superuser=True)


class UserChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "role", "is_active"]  # the admin's fieldsets decide the rest

    def clean_email(self) -> str:
        # Logins compare lower-case addresses: "Jane@X.com" must not become a second account.
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another account uses this email address.")
        return email


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = UserChangeForm
    list_display = [
        "email",
        "full_name",
        "role",
        "subscription_plan",
        "subscription_status",
        "journey_stage",
        "is_active",
        "login_count",
        "last_activity_at",
        "date_joined",
    ]
    list_filter = ["role", "subscription_plan", "subscription_status", "journey_stage", "is_active", ChurnRiskFilter]
    search_fields = ["email", "full_name"]
    ordering = ["-date_joined"]
    show_full_result_count = False  # no COUNT(*) of the whole table on every page
    paginator = EstimatedCountPaginator
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["email", "full_name", "role", "is_active"]}),
        ("Subscription", {"fields": ["subscription_plan", "subscription_status", "journey_stage"]}),
        ("Activity", {"fields": ["login_count", "last_login_at", "last_activity_at", "date_joined"]}),
    ]
    readonly_fields = [
        "subscription_plan",
        "subscription_status",
        "journey_stage",
        "login_count",
        "last_login_at",
        "last_activity_at",
        "date_joined",
    ]
    actions = ["activate", "deactivate", "change_plan"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # accounts are created by registration or `manage.py create_admin`

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return _may_manage(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return _may_manage(request, obj) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        account_services.user_save_from_admin(user=obj)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        account_services.user_delete(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in _manageable(request, queryset):
            account_services.user_delete(user=user)

    @admin.action(description="Activate", permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset.filter(is_active=False):
            account_services.user_set_active(user=user, active=True)
            count += 1
        self.message_user(request, f"{count} user(s) activated.", messages.SUCCESS)

    @admin.action(description="Deactivate (and revoke their tokens)", permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in _manageable(request, queryset.filter(is_active=True).exclude(pk=request.user.pk)):
            account_services.user_set_active(user=user, active=False)
            count += 1
        self.message_user(request, f"{count} user(s) deactivated; their tokens no longer work.", messages.SUCCESS)

    @admin.action(description="Change plan", permissions=["change"])
    def change_plan(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        """A confirmation page with the new plan; applying writes a SubscriptionEvent per user
        and publishes subscription.changed (through the accounts service)."""
        if "apply" in request.POST:
            form = ChangePlanForm(request.POST)
            if form.is_valid():
                changed = sum(
                    account_services.user_change_subscription(
                        user=user,
                        plan=form.cleaned_data["plan"],
                        status=form.cleaned_data["status"],
                        changed_by=request.user,
                    )
                    is not None
                    for user in queryset
                )
                self.message_user(request, f"Plan changed for {changed} user(s).", messages.SUCCESS)
                return None
        else:
            first = queryset.first()
            form = ChangePlanForm(
                initial={"plan": first.subscription_plan, "status": first.subscription_status} if first else {}
            )
        return TemplateResponse(
            request,
            "admin/accounts/user/change_plan.html",
            {
                **self.admin_site.each_context(request),
                "title": "Change plan",
                "users": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(SubscriptionEvent)
class SubscriptionEventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "user",
        "event_type",
        "from_plan",
        "to_plan",
        "from_status",
        "to_status",
        "changed_by",
    ]
    list_filter = ["event_type", "to_plan"]
    list_select_related = ["user", "changed_by"]
    raw_id_fields = ["user", "changed_by"]
    date_hierarchy = "created_at"
