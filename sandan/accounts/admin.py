from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from sandan.accounts.models import ApiToken, Membership, User
from sandan.core.admin import AuditedAdmin


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    raw_id_fields = ("complex", "organisation")


@admin.register(User)
class UserAdmin(DjangoUserAdmin, AuditedAdmin):  # type: ignore[misc,type-arg]
    inlines = [MembershipInline]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("sandan", {"fields": ("display_name",)}))  # type: ignore[misc]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "role", "zone", "office", "complex", "organisation", "is_active")
    list_filter = ("role", "is_active")
    raw_id_fields = ("complex", "organisation")


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ("user", "name", "hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "hint", "created_at", "last_used_at")
