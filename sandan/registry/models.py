"""The national registry: zones, provinces, municipalities, KICOX offices, complexes and
their quarterly statistics, industries (KSIC), organisations and experts."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sandan.core.querysets import ReadAlso, RestrictedQuerySet
from sandan.registry.validators import validate_business_number, validate_corporate_number

SMALL_FIRM_MAX_EMPLOYEES = 50


class Zone(models.Model):
    """광역경제권 — one of the 5+2 economic zones."""

    code = models.SlugField(_("코드"), max_length=20, unique=True)
    name_ko = models.CharField(_("이름"), max_length=50)
    name_en = models.CharField(_("영문 이름"), max_length=80)
    kind = models.CharField(_("구분"), max_length=30)
    order = models.PositiveSmallIntegerField(_("순서"), default=0)

    objects: ClassVar[RestrictedQuerySet[Zone]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {"zone": "pk"}

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("광역경제권")
        verbose_name_plural = _("광역경제권")

    def __str__(self) -> str:
        return self.name_ko


class Province(models.Model):
    """시도, by its 2-digit administrative code (historical codes keep `valid_until`)."""

    code = models.CharField(_("코드"), max_length=2, unique=True)
    name_ko = models.CharField(_("이름"), max_length=30)
    name_en = models.CharField(_("영문 이름"), max_length=60)
    short_ko = models.CharField(_("약칭"), max_length=10)
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="provinces")
    valid_from = models.DateField(_("시작일"), null=True, blank=True)
    valid_until = models.DateField(_("종료일"), null=True, blank=True)

    objects: ClassVar[RestrictedQuerySet[Province]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {"zone": "zone"}

    class Meta:
        ordering = ["code"]
        verbose_name = _("시도")
        verbose_name_plural = _("시도")

    def __str__(self) -> str:
        return self.name_ko

    @property
    def is_current(self) -> bool:
        return self.valid_until is None


class Municipality(models.Model):
    """시군구 (including the 일반구 of large cities, whose `parent` is the city)."""

    code = models.CharField(_("코드"), max_length=5, unique=True)
    name_ko = models.CharField(_("이름"), max_length=40)
    name_en = models.CharField(_("영문 이름"), max_length=80)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="municipalities")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="districts"
    )
    kostat_code = models.CharField(_("통계청 코드"), max_length=5, blank=True)

    objects: ClassVar[RestrictedQuerySet[Municipality]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {"zone": "province__zone"}

    class Meta:
        ordering = ["code"]
        verbose_name = _("시군구")
        verbose_name_plural = _("시군구")

    def __str__(self) -> str:
        return f"{self.province.short_ko} {self.name_ko}"


class Industry(models.Model):
    """KSIC (한국표준산업분류, 11th revision): section → division → group → class → subclass."""

    class Level(models.TextChoices):
        SECTION = "section", _("대분류")
        DIVISION = "division", _("중분류")
        GROUP = "group", _("소분류")
        CLASS = "class", _("세분류")
        SUBCLASS = "subclass", _("세세분류")

    code = models.CharField(_("코드"), max_length=6, unique=True)
    level = models.CharField(_("단계"), max_length=10, choices=Level.choices)
    name_ko = models.CharField(_("이름"), max_length=200)
    name_en = models.CharField(_("영문 이름"), max_length=300)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    objects: ClassVar[RestrictedQuerySet[Industry]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["code"]
        verbose_name = _("업종(KSIC)")
        verbose_name_plural = _("업종(KSIC)")

    def __str__(self) -> str:
        return f"{self.code} {self.name_ko}"


class Office(models.Model):
    """KICOX field network: HQ → regional HQs → branches. An office manages complexes."""

    class Kind(models.TextChoices):
        HQ = "hq", _("본사")
        REGIONAL_HQ = "regional_hq", _("광역본부")
        BRANCH = "branch", _("지사")

    code = models.SlugField(_("코드"), max_length=40, unique=True)
    kind = models.CharField(_("구분"), max_length=12, choices=Kind.choices)
    name_ko = models.CharField(_("이름"), max_length=60)
    name_en = models.CharField(_("영문 이름"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    zone = models.ForeignKey(
        Zone, null=True, blank=True, on_delete=models.PROTECT, related_name="offices"
    )
    is_illustrative = models.BooleanField(
        _("예시 자료"),
        default=False,
        help_text=_("공개 목록이 없어 예시로 만든 조직입니다."),
    )
    # The organisation as history: an office exists from valid_from (empty: before the
    # records begin) until valid_until (empty: still today); a merged office names the
    # office it became. `parent` is the office's latest parent; earlier ones are OfficeTerms.
    valid_from = models.DateField(_("설치일"), null=True, blank=True)
    valid_until = models.DateField(_("폐지일"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        verbose_name=_("통합·승계 조직"),
    )

    objects: ClassVar[RestrictedQuerySet[Office]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {"zone": "zone", "office": "pk"}

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("공단 조직")
        verbose_name_plural = _("공단 조직")
        constraints = [
            models.CheckConstraint(
                name="office_hq_has_no_parent",
                condition=Q(kind="hq", parent__isnull=True) | ~Q(kind="hq"),
            ),
            models.CheckConstraint(
                name="office_non_hq_has_parent",
                condition=Q(kind="hq") | Q(parent__isnull=False),
            ),
            models.CheckConstraint(
                name="office_valid_period",
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return self.name_ko

    def subtree_ids(self) -> list[int]:
        return Office.subtree_of(self.pk)

    @staticmethod
    def subtree_of(office_id: int) -> list[int]:
        """The office and every office below it (the tree is three levels deep)."""
        ids = [office_id]
        frontier = [office_id]
        while frontier:
            frontier = list(
                Office.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            ids.extend(frontier)
        return ids


class OfficeTerm(models.Model):
    """An earlier parent of an office for a period: before 2010 the capital-area branches
    belonged to the 서울·경인·서부 regional HQs, from 2010 to 수도권본부 (their `parent`)."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="terms")
    parent = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("상위 조직")
    )
    valid_from = models.DateField(_("시작일"), null=True, blank=True)
    valid_until = models.DateField(_("종료일"))
    is_illustrative = models.BooleanField(_("예시 자료"), default=False)

    objects: ClassVar[RestrictedQuerySet[OfficeTerm]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["office", "valid_until"]
        verbose_name = _("조직 소속 이력")
        verbose_name_plural = _("조직 소속 이력")
        constraints = [
            models.UniqueConstraint(fields=["office", "valid_until"], name="office_term_once"),
            models.CheckConstraint(
                name="office_term_period",
                condition=Q(valid_from__isnull=True) | Q(valid_until__gte=F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} → {self.parent} (~{self.valid_until})"


class Complex(models.Model):
    """산업단지. The KICOX id is 6 digits: kind (1–4), province code (2), serial (3)."""

    class Kind(models.TextChoices):
        NATIONAL = "national", _("국가")
        GENERAL = "general", _("일반")
        URBAN_HIGH_TECH = "urban_high_tech", _("도시첨단")
        AGRO_INDUSTRIAL = "agro_industrial", _("농공")

    KIND_DIGIT: ClassVar[dict[str, str]] = {
        "national": "1",
        "general": "2",
        "urban_high_tech": "3",
        "agro_industrial": "4",
    }

    class Status(models.TextChoices):
        COMPLETED = "completed", _("완료")
        UNDER_CONSTRUCTION = "under_construction", _("조성중")
        UNDEVELOPED = "undeveloped", _("미개발")

    kicox_id = models.CharField(_("단지 코드"), max_length=6, unique=True)
    name_ko = models.CharField(_("단지명"), max_length=100)
    name_en = models.CharField(_("영문 단지명"), max_length=150, blank=True)
    kind = models.CharField(_("유형"), max_length=20, choices=Kind.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="complexes")
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.PROTECT, related_name="complexes"
    )
    municipality_name = models.CharField(
        _("시군구(원자료)"), max_length=40, help_text=_("원자료에 적힌 시군구 이름")
    )
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.PROTECT, related_name="complexes"
    )
    status = models.CharField(
        _("조성 상태"), max_length=20, choices=Status.choices, default=Status.COMPLETED
    )
    designated_area_1000m2 = models.DecimalField(
        _("지정면적(천㎡)"),
        max_digits=12,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
    )
    managed_area_1000m2 = models.DecimalField(
        _("관리면적(천㎡)"),
        max_digits=12,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
    )
    sale_target_area_1000m2 = models.DecimalField(
        _("분양대상면적(천㎡)"),
        max_digits=12,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
    )
    sold_area_1000m2 = models.DecimalField(
        _("분양면적(천㎡)"),
        max_digits=12,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
    )
    unsold_area_1000m2 = models.DecimalField(
        _("미분양면적(천㎡)"),
        max_digits=12,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
    )
    year_designated = models.PositiveSmallIntegerField(
        _("지정연도"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1960), MaxValueValidator(2100)],
    )
    tenants = models.PositiveIntegerField(_("입주업체(개사)"), default=0)
    operating_firms = models.PositiveIntegerField(_("가동업체(개사)"), default=0)
    updated_at = models.DateTimeField(_("수정일"), auto_now=True)

    objects: ClassVar[RestrictedQuerySet[Complex]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        "zone": "province__zone",
        "office": "office",
        "complex": "pk",
    }

    class Meta:
        ordering = ["kicox_id"]
        verbose_name = _("산업단지")
        verbose_name_plural = _("산업단지")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "province", "municipality_name", "name_ko"],
                name="complex_natural_key",
            ),
            models.CheckConstraint(
                name="complex_operating_le_tenants",
                condition=Q(operating_firms__lte=models.F("tenants")),
            ),
            models.CheckConstraint(
                name="complex_kind_valid",
                condition=Q(kind__in=["national", "general", "urban_high_tech", "agro_industrial"]),
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "kicox_id"]),
            models.Index(fields=["province", "kicox_id"]),
            models.Index(fields=["office", "kicox_id"]),
            models.Index(fields=["name_ko"]),
        ]

    def __str__(self) -> str:
        return self.name_ko

    def get_absolute_url(self) -> str:
        return reverse("registry:complex_detail", args=[self.kicox_id])

    @property
    def zone(self) -> Zone:
        return self.province.zone


class ComplexStat(models.Model):
    """Quarterly figures of one complex (KICOX 산업단지 동향)."""

    complex = models.ForeignKey(Complex, on_delete=models.CASCADE, related_name="stats")
    year = models.PositiveSmallIntegerField(
        _("연도"), validators=[MinValueValidator(1960), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("분기"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    tenants = models.PositiveIntegerField(_("입주업체(개사)"), default=0)
    operating_firms = models.PositiveIntegerField(_("가동업체(개사)"), default=0)
    employment_persons = models.PositiveIntegerField(_("고용(명)"), default=0)
    output_100m_krw = models.DecimalField(
        _("생산(억원)"),
        max_digits=14,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
    )
    exports_1m_usd = models.DecimalField(
        _("수출(백만달러)"),
        max_digits=12,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
    )
    # Figures made up for a demonstration (the demo's 2005–2009 quarters), not published
    # ones: every page that shows them says so.
    is_illustrative = models.BooleanField(_("예시 자료"), default=False)

    objects: ClassVar[RestrictedQuerySet[ComplexStat]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        "zone": "complex__province__zone",
        "office": "complex__office",
        "complex": "complex",
    }

    class Meta:
        ordering = ["complex", "year", "quarter"]
        verbose_name = _("산업단지 분기 통계")
        verbose_name_plural = _("산업단지 분기 통계")
        constraints = [
            models.UniqueConstraint(
                fields=["complex", "year", "quarter"], name="stat_one_per_quarter"
            ),
            models.CheckConstraint(
                name="stat_quarter_1_to_4", condition=Q(quarter__gte=1, quarter__lte=4)
            ),
            models.CheckConstraint(
                name="stat_operating_le_tenants",
                condition=Q(operating_firms__lte=models.F("tenants")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complex} {self.year}Q{self.quarter}"

    @property
    def period(self) -> str:
        return f"{self.year}.{self.quarter}Q"


class Organisation(models.Model):
    """A company, university, research institute or support agency."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("기업")
        UNIVERSITY = "university", _("대학")
        INSTITUTE = "institute", _("연구소")
        AGENCY = "agency", _("지원기관")

    kind = models.CharField(_("구분"), max_length=12, choices=Kind.choices)
    name_ko = models.CharField(_("기관명"), max_length=150)
    name_en = models.CharField(_("영문 기관명"), max_length=200, blank=True)
    business_number = models.CharField(
        _("사업자등록번호"),
        max_length=10,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_business_number],
        help_text=_("숫자 10자리 (하이픈 없이 저장)"),
    )
    corporate_number = models.CharField(
        _("법인등록번호"),
        max_length=13,
        blank=True,
        default="",
        validators=[validate_corporate_number],
    )
    industry = models.ForeignKey(
        Industry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("업종"),
    )
    employees = models.PositiveIntegerField(_("종업원 수"), null=True, blank=True)
    is_small_firm = models.GeneratedField(
        expression=models.Case(
            models.When(
                Q(kind="company", employees__lte=SMALL_FIRM_MAX_EMPLOYEES), then=models.Value(True)
            ),
            default=models.Value(False),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("소기업(50인 이하)"),
    )
    complex = models.ForeignKey(
        Complex,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("소재 산업단지"),
    )
    # Where a body without a complex works (a technopark, a city, a zone's committee): its
    # staff's partner agencies are chosen by region. Empty for a national body.
    region = models.ForeignKey(
        Province,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("활동 지역(시·도)"),
        help_text=_("지역 지원기관의 시·도. 전국 기관은 비워 둡니다."),
    )
    address = models.CharField(_("주소"), max_length=200, blank=True)
    website = models.URLField(_("웹사이트"), blank=True)
    # Personal data: shown only to roles with the "contact" action (see accounts.roles).
    contact_name = models.CharField(_("담당자"), max_length=50, blank=True)
    contact_email = models.EmailField(_("담당자 이메일"), blank=True)
    contact_phone = models.CharField(_("담당자 전화"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[RestrictedQuerySet[Organisation]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        "zone": "complex__province__zone",
        "office": "complex__office",
        "complex": "complex",
        "organisation": "pk",
    }
    # Partner agencies are reference data for staff: the staff of a zone, an office or a
    # complex read (and refer problems to) the agencies of their zone and the national ones.
    read_also: ClassVar[ReadAlso] = ReadAlso(
        paths={
            "zone": ("region__zone",),
            "office": ("region__zone__offices",),
            "complex": ("region__zone__provinces__complexes",),
        },
        only={"kind": "agency"},
        unplaced="region",
    )
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("contact_name", "contact_email", "contact_phone")

    class Meta:
        ordering = ["name_ko", "id"]
        verbose_name = _("기관")
        verbose_name_plural = _("기관")
        constraints = [
            models.CheckConstraint(
                name="organisation_company_has_business_number",
                condition=~Q(kind="company") | Q(business_number__isnull=False),
            ),
            models.CheckConstraint(
                name="organisation_kind_valid",
                condition=Q(kind__in=["company", "university", "institute", "agency"]),
            ),
        ]
        indexes = [
            models.Index(fields=["complex", "name_ko"]),
            models.Index(fields=["kind", "name_ko"]),
            models.Index(fields=["name_ko", "id"]),
        ]

    def __str__(self) -> str:
        return self.name_ko

    def get_absolute_url(self) -> str:
        return reverse("registry:organisation_detail", args=[self.pk])

    @property
    def business_number_display(self) -> str:
        number = self.business_number or ""
        return f"{number[:3]}-{number[3:5]}-{number[5:]}" if len(number) == 10 else number


class Expert(models.Model):
    """전문가: a person with specialties. Contact data is personal and masked by role."""

    name_ko = models.CharField(_("이름"), max_length=50)
    name_en = models.CharField(_("영문 이름"), max_length=100, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_profile",
    )
    affiliation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="experts",
        verbose_name=_("소속 기관"),
    )
    title = models.CharField(_("직위"), max_length=50, blank=True)
    specialties = models.TextField(_("전문 분야"), blank=True)
    service_categories = models.JSONField(
        _("지원서비스 분야"),
        default=list,
        blank=True,
        help_text=_("사업연도의 지원서비스 분야 코드 목록"),
    )
    industries = models.ManyToManyField(
        Industry, blank=True, related_name="experts", verbose_name=_("업종")
    )
    email = models.EmailField(_("이메일"), blank=True)
    phone = models.CharField(_("전화"), max_length=20, blank=True)
    is_active = models.BooleanField(_("활동 중"), default=True)
    # Where the expert mentors (the seed's mentoring is regional); when empty, the province
    # of the affiliation's complex stands for it.
    province = models.ForeignKey(
        Province,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="experts",
        verbose_name=_("활동 지역"),
    )
    # Availability, set by the expert: away for a period, and a cap on open cases.
    unavailable_from = models.DateField(_("부재 시작일"), null=True, blank=True)
    unavailable_until = models.DateField(_("부재 종료일"), null=True, blank=True)
    max_open_cases = models.PositiveSmallIntegerField(
        _("최대 동시 배정"),
        null=True,
        blank=True,
        help_text=_("비워 두면 제한 없음"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[RestrictedQuerySet[Expert]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        "zone": "affiliation__complex__province__zone",
        "organisation": "affiliation",
    }
    owner_path: ClassVar[str] = "user"
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("email", "phone")

    class Meta:
        ordering = ["name_ko", "id"]
        verbose_name = _("전문가")
        verbose_name_plural = _("전문가")
        constraints = [
            models.CheckConstraint(
                name="expert_unavailable_order",
                condition=Q(unavailable_from__isnull=True)
                | Q(unavailable_until__isnull=True)
                | Q(unavailable_from__lte=models.F("unavailable_until")),
            ),
        ]

    def __str__(self) -> str:
        return self.name_ko

    def get_absolute_url(self) -> str:
        return reverse("registry:expert_detail", args=[self.pk])

    def is_away(self, day: dt.date) -> bool:
        """Whether the expert marked ``day`` as unavailable (open ends reach forever)."""
        if self.unavailable_from is None and self.unavailable_until is None:
            return False
        starts = self.unavailable_from or dt.date.min
        ends = self.unavailable_until or dt.date.max
        return starts <= day <= ends
