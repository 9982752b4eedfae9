from django.contrib import admin, messages
from django.db.models import Count

from champions import services
from champions.models import Champion, ChampionPattern, Scenario
from core.errors import Conflict


class PatternInline(admin.TabularInline):
    model = ChampionPattern
    fields = ["position", "category", "text", "start", "end", "speaker", "confidence"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ScenarioInline(admin.StackedInline):
    model = Scenario
    fields = ["title", "difficulty", "persona", "context", "goal", "objections"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Champion)
class ChampionAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "status", "step", "progress", "duration_seconds", "pattern_count", "created_at"]
    list_filter = ["status"]
    list_select_related = ["owner"]
    search_fields = ["name", "owner__email"]
    raw_id_fields = ["owner"]
    show_full_result_count = False
    inlines = [PatternInline, ScenarioInline]
    actions = ["rerun_analysis"]

    @admin.action(description="Re-run the analysis", permissions=["change"])
    def rerun_analysis(self, request, queryset):
        """Through the same service as POST /analyze: queued after commit; busy ones skipped."""
        queued, busy = 0, 0
        for champion in queryset:
            try:
                services.champion_analysis_request(champion=champion, requested_by=request.user)
                queued += 1
            except Conflict:
                busy += 1
        self.message_user(request, f"{queued} analysis(es) queued; {busy} already running.", messages.SUCCESS)

    def has_change_permission(self, request, obj=None) -> bool:
        # Results are read-only; "change" is what re-running needs.
        return super().has_change_permission(request, obj) and obj is None

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pattern_total=Count("patterns"))

    @admin.display(description="patterns", ordering="pattern_total")
    def pattern_count(self, obj: Champion) -> int:
        return obj.pattern_total

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [f.name for f in Champion._meta.fields]

    def delete_model(self, request, obj: Champion) -> None:
        # Through the service: files, practice audio, vectors and the voice clone go too.
        services.champion_delete(champion=obj)

    def delete_queryset(self, request, queryset) -> None:
        for champion in queryset:
            services.champion_delete(champion=champion)

    def has_add_permission(self, request) -> bool:
        return False
