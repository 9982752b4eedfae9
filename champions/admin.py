from django.contrib import admin
from django.db.models import Count

from champions.models import Champion, ChampionPattern, Scenario


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
    exclude = ["transcript"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pattern_total=Count("patterns"))

    @admin.display(description="patterns", ordering="pattern_total")
    def pattern_count(self, obj: Champion) -> int:
        return obj.pattern_total

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [f.name for f in Champion._meta.fields if f.name != "transcript"]

    def has_add_permission(self, request) -> bool:
        return False
