from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AccessLog, ComuneScope, User


class ComuneScopeInline(admin.TabularInline):
    model = ComuneScope
    extra = 1


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Osservatorio", {"fields": ("role",)}))
    list_display = ("username", "email", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    inlines = [ComuneScopeInline]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "role", "path", "object_ref", "ip_address", "status_code")
    list_filter = ("role",)
    search_fields = ("username", "path", "object_ref")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
