from django.contrib import admin

from .models import Measure, MeasureFact, ScreeningCase, TargetGroup


class FactInline(admin.TabularInline):
    model = MeasureFact
    extra = 0


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "valid_from", "valid_to", "reliability"]
    list_filter = ["level", "reliability", "target_groups"]
    search_fields = ["name", "slug", "legal_basis"]
    inlines = [FactInline]


admin.site.register(TargetGroup)


@admin.register(ScreeningCase)
class ScreeningCaseAdmin(admin.ModelAdmin):
    list_display = ["pk", "comune_code", "reference_date", "created_by", "created_at"]
    readonly_fields = ["household", "results", "created_by", "created_at"]
