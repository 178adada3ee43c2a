from django.contrib import admin

from sandan.core.admin import AuditedAdmin
from sandan.registry.models import (
    Complex,
    ComplexStat,
    Expert,
    Industry,
    Municipality,
    Office,
    Organisation,
    Province,
    Zone,
)


@admin.register(Zone)
class ZoneAdmin(AuditedAdmin):
    list_display = ("code", "name_ko", "name_en", "kind", "order")


@admin.register(Province)
class ProvinceAdmin(AuditedAdmin):
    list_display = ("code", "name_ko", "short_ko", "zone", "valid_until")
    list_filter = ("zone",)


@admin.register(Municipality)
class MunicipalityAdmin(AuditedAdmin):
    list_display = ("code", "name_ko", "province")
    list_filter = ("province",)
    search_fields = ("name_ko", "code")


@admin.register(Industry)
class IndustryAdmin(AuditedAdmin):
    list_display = ("code", "level", "name_ko")
    list_filter = ("level",)
    search_fields = ("code", "name_ko", "name_en")


@admin.register(Office)
class OfficeAdmin(AuditedAdmin):
    list_display = ("code", "kind", "name_ko", "parent", "zone", "is_illustrative")
    list_filter = ("kind", "zone")


@admin.register(Complex)
class ComplexAdmin(AuditedAdmin):
    list_display = ("kicox_id", "name_ko", "kind", "province", "office", "tenants")
    list_filter = ("kind", "province__zone", "status")
    search_fields = ("kicox_id", "name_ko", "municipality_name")
    list_select_related = ("province", "office")
    raw_id_fields = ("municipality",)


@admin.register(ComplexStat)
class ComplexStatAdmin(AuditedAdmin):
    list_display = ("complex", "year", "quarter", "tenants", "employment_persons")
    list_filter = ("year", "quarter")
    raw_id_fields = ("complex",)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("name_ko", "kind", "business_number", "employees", "is_small_firm", "complex")
    list_filter = ("kind", "is_small_firm")
    search_fields = ("name_ko", "business_number")
    raw_id_fields = ("complex", "industry")
    list_select_related = ("complex",)


@admin.register(Expert)
class ExpertAdmin(AuditedAdmin):
    list_display = ("name_ko", "title", "affiliation", "is_active")
    search_fields = ("name_ko", "specialties")
    raw_id_fields = ("affiliation", "user")
    filter_horizontal = ("industries",)
