from django.contrib import admin

from .models import ImportBatch, ImportMapping, StreetQuartiere


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ["name", "updated_at"]
    search_fields = ["name"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Read-only: batches change only through the import services, which keep them consistent."""

    list_display = ["pk", "source_name", "file_name", "status", "rows_imported", "synthetic", "created_at"]
    list_filter = ["status", "synthetic"]
    search_fields = ["source_name", "file_name", "checksum"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StreetQuartiere)
class StreetQuartiereAdmin(admin.ModelAdmin):
    list_display = ["comune_code", "street_name", "quartiere_code"]
    list_filter = ["comune_code"]
    search_fields = ["street_name", "street_key"]
