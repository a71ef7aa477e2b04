from django.contrib import admin

from .models import Area, CodeChange, Membership


class ParentInline(admin.TabularInline):
    model = Membership
    fk_name = "child"
    extra = 0
    autocomplete_fields = ["parent"]
    verbose_name = "appartiene a"
    verbose_name_plural = "appartiene a"


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "population", "population_year", "valid_from", "valid_to"]
    list_filter = ["level"]
    search_fields = ["code", "name", "search_key"]
    readonly_fields = ["search_key"]
    inlines = [ParentInline]


@admin.register(CodeChange)
class CodeChangeAdmin(admin.ModelAdmin):
    list_display = ["old_code", "old_name", "new_code", "new_name", "date", "kind"]
    list_filter = ["kind"]
    search_fields = ["old_code", "new_code", "old_name", "new_name"]
    date_hierarchy = "date"
