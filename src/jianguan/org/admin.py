from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Unit, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "last_name", "first_name", "unit", "role", "is_active")
    list_filter = ("role", "is_active", "unit__kind")
    search_fields = ("username", "last_name", "first_name")
    fieldsets = (*BaseUserAdmin.fieldsets, ("机构与角色", {"fields": ("unit", "role")}))
    autocomplete_fields = ("unit",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "district", "region_code", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name", "short_name")
