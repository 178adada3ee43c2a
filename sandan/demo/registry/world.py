"""Builds the demo registry through the importers and services; its fingerprint."""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from sandan.core import audit
from sandan.core.models import AuditAction, AuditEntry
from sandan.demo import words
from sandan.demo.base import AUDIT_SOURCE, DemoError, progress_bar, rng_for
from sandan.demo.registry.complexes import (
    KIND_BY_KO,
    quarterly_stats,
    real_complexes_path,
    world_2009_complexes,
    write_complexes_csv,
)
from sandan.demo.registry.organisations import (
    Affiliation,
    ComplexInfo,
    _industry_codes,
    company_rows,
    expert_specs,
    institution_rows,
    write_organisations_csv,
)
from sandan.demo.registry.scales import ORIGINALS, SCALES, Scale
from sandan.demo.registry.users import DEMO_PASSWORD, ensure_users
from sandan.registry.models import (
    Complex,
    ComplexStat,
    Expert,
    Industry,
    Organisation,
    Zone,
)


@dataclass
class DemoReport:
    scale: str
    seed: int
    skipped_world: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)
    users: list[tuple[str, str, str, str]] = field(default_factory=list)  # user, pw, role, scope
    password: str = DEMO_PASSWORD

    def timed(self, label: str, started: float) -> float:
        now = time.perf_counter()
        self.timings.append((label, now - started))
        return now


def _check_import(report: Any, what: str) -> None:
    if not report.ok:
        lines = "\n".join(str(e) for e in report.errors[:10])
        raise DemoError(
            f"{what}: the generated file did not import ({len(report.errors)} errors)\n{lines}"
        )


# --- the world -------------------------------------------------------------------------------


def world_exists() -> bool:
    return Complex.objects.exists()


def build_world(
    *,
    seed: int,
    scale: Scale,
    organisations: int | None = None,
    experts: int | None = None,
    progress: bool = False,
    log: Callable[[str], None] = lambda _msg: None,
    report: DemoReport,
    workdir: Path | None = None,
) -> None:
    """Import complexes and organisations from generated files, then stats and experts."""
    from sandan.registry.io import import_complexes, import_organisations

    if not Zone.objects.exists() or not Industry.objects.exists():
        raise DemoError("reference data missing: run `sandan load_reference` first")
    organisations = scale.organisations if organisations is None else organisations
    experts = scale.experts if experts is None else experts
    with tempfile.TemporaryDirectory(prefix="sandan-demo-", dir=workdir) as tmp:
        started = time.perf_counter()
        if scale.kinds is None:
            complexes_file = real_complexes_path()
            address_names = words.PROVINCE_FULL_TODAY
        else:
            complexes_file = write_complexes_csv(
                world_2009_complexes(seed), Path(tmp) / "complexes_2009.csv"
            )
            address_names = words.PROVINCE_FULL_2009
        log(f"complexes: importing {complexes_file.name} (as of {scale.as_of})")
        result = import_complexes(
            complexes_file,
            as_of=scale.as_of,
            progress=progress,
            audit_source=AUDIT_SOURCE,
            filename=complexes_file.name,
        )
        _check_import(result, "complexes")
        started = report.timed("complexes", started)

        infos = _complex_infos()
        stats = write_stats(seed, scale, progress=progress)
        report.counts["stats"] = stats
        started = report.timed("statistics", started)

        industry_codes = _industry_codes()
        specialties = _original_specialties(infos)
        institutions = institution_rows(seed, address_names)
        companies = company_rows(
            seed,
            infos,
            max(0, organisations - len(institutions)),
            industry_codes,
            address_names=address_names,
            specialties=specialties,
            ensure=sorted(specialties),
        )
        org_file = write_organisations_csv(
            [*institutions, *companies], Path(tmp) / "organisations.csv"
        )
        started = report.timed("organisations (generate)", started)
        log(f"organisations: importing {len(institutions) + len(companies):,} rows")
        result = import_organisations(
            org_file, progress=progress, audit_source=AUDIT_SOURCE, filename=org_file.name
        )
        _check_import(result, "organisations")
        started = report.timed("organisations (import)", started)

        report.counts["experts"] = create_experts(seed, experts, progress=progress)
        report.timed("experts", started)


def _complex_infos() -> list[ComplexInfo]:
    rows = Complex.objects.select_related("province").order_by("kicox_id")
    return [
        ComplexInfo(
            kicox_id=c.kicox_id,
            kind=c.kind,
            sido=c.province.short_ko,
            sigungu=c.municipality_name,
            name=c.name_ko,
            tenants=c.tenants,
        )
        for c in rows
    ]


def _original_specialties(infos: Sequence[ComplexInfo]) -> dict[str, str]:
    """kicox_id → KSIC division of the 12 original complexes found in the registry."""
    wanted = {
        (KIND_BY_KO[o.kind], o.sigungu, n): o.specialty
        for o in ORIGINALS
        for n in (o.name, o.real_name)
    }
    return {
        c.kicox_id: wanted[(c.kind, c.sigungu, c.name)]
        for c in infos
        if (c.kind, c.sigungu, c.name) in wanted
    }


def write_stats(seed: int, scale: Scale, *, progress: bool = False, batch_size: int = 2000) -> int:
    """Quarterly ComplexStat rows for every complex, bulk-written with one audit entry each.

    The importer already wrote the as-of quarter's 입주/가동 figures; those rows are completed
    (employment, output, exports) with an update entry, the other quarters are created.
    """
    quarters = scale.quarters
    complexes = list(
        Complex.objects.order_by("kicox_id").only(
            "pk",
            "kicox_id",
            "name_ko",
            "kind",
            "tenants",
            "operating_firms",
            "sale_target_area_1000m2",
            "designated_area_1000m2",
        )
    )
    existing = {
        (s.complex_id, s.year, s.quarter): s
        for s in ComplexStat.objects.filter(year__gte=scale.first_year, year__lte=scale.last_year)
    }
    batch = f"demo-{seed}-{uuid.uuid4().hex[:12]}"
    content_type = ContentType.objects.get_for_model(ComplexStat)
    written = 0
    creates: list[ComplexStat] = []
    updates: list[ComplexStat] = []
    entries: list[AuditEntry] = []

    def flush() -> None:
        nonlocal written
        with transaction.atomic():
            ComplexStat.objects.bulk_create(creates, batch_size=batch_size)
            ComplexStat.objects.bulk_update(updates, UPDATED_STAT_FIELDS, batch_size=batch_size)
            entries.extend(
                audit.entry_for(
                    None,
                    stat,
                    AuditAction.CREATE,
                    {},
                    source=AUDIT_SOURCE,
                    batch=batch,
                    content_type=content_type,
                )
                for stat in creates
            )
            audit.record_many(entries)
        written += len(creates) + len(updates)
        creates.clear()
        updates.clear()
        entries.clear()

    for complex_ in progress_bar(complexes, len(complexes), "statistics", progress):
        area = float(complex_.sale_target_area_1000m2 or complex_.designated_area_1000m2 or 0)
        rows = quarterly_stats(
            rng_for(seed, "stats", complex_.kicox_id),
            complex_.kind,
            complex_.tenants,
            complex_.operating_firms,
            area or 100.0,
            quarters,
        )
        for row in rows:
            values = {
                "tenants": row.tenants,
                "operating_firms": row.operating,
                "employment_persons": row.employment,
                "output_100m_krw": row.output,
                "exports_1m_usd": row.exports,
                "is_illustrative": True,  # generated figures, marked where they are shown
            }
            current = existing.get((complex_.pk, row.year, row.quarter))
            if current is None:
                stat = ComplexStat(complex=complex_, year=row.year, quarter=row.quarter, **values)
                creates.append(stat)
                continue
            current.complex = complex_
            before = audit.snapshot(current)
            for attname, value in values.items():
                setattr(current, attname, value)
            entry = audit.entry_for(
                None,
                current,
                AuditAction.UPDATE,
                before,
                source=AUDIT_SOURCE,
                batch=batch,
                content_type=content_type,
            )
            if entry.changes:
                updates.append(current)
                entries.append(entry)
        if len(creates) >= batch_size * 5:
            flush()
    flush()
    return written


UPDATED_STAT_FIELDS = [
    "is_illustrative",
    "tenants",
    "operating_firms",
    "employment_persons",
    "output_100m_krw",
    "exports_1m_usd",
]


def _affiliations() -> list[Affiliation]:
    """Universities, institutes and a deterministic slice of companies, as expert employers."""
    out: list[Affiliation] = []
    institutions: dict[str, tuple[str, str]] = {}
    for name, _en, sido, _sigungu, domain in (*words.UNIVERSITIES, *words.INSTITUTES):
        institutions[name] = (domain, sido)
    for org in Organisation.objects.filter(kind__in=["university", "institute"]).order_by(
        "name_ko"
    ):
        domain, sido = institutions.get(org.name_ko, ("org", "서울"))
        out.append(Affiliation(org.name_ko, org.kind, domain, sido, ""))
    companies = (
        Organisation.objects.filter(kind="company", employees__gte=20)
        .select_related("industry", "complex__province")
        .order_by("business_number")
    )
    for org in companies[:: max(1, companies.count() // 200 or 1)][:200]:
        domain = re.sub(r"[^a-z0-9]", "", (org.name_en or "firm").lower().replace("co., ltd.", ""))
        sido = org.complex.province.short_ko if org.complex else "서울"
        division = org.industry.code[:2] if org.industry else ""
        out.append(
            Affiliation(org.business_number or org.name_ko, "company", domain, sido, division)
        )
    return out


def create_experts(seed: int, count: int, *, progress: bool = False) -> int:
    """Experts through `create_expert` (validated and audited one by one, like any other)."""
    from sandan.registry.services import create_expert

    if count <= 0:
        return 0
    affiliations = _affiliations()
    if not affiliations:
        return 0
    orgs: dict[str, Organisation] = {
        o.name_ko: o for o in Organisation.objects.filter(kind__in=["university", "institute"])
    }
    numbers = [a.key for a in affiliations if a.kind == "company"]
    for o in Organisation.objects.filter(business_number__in=numbers):
        orgs[o.business_number or o.name_ko] = o
    industries = {i.code: i for i in Industry.objects.filter(level=Industry.Level.DIVISION)}
    specs = expert_specs(seed, count, affiliations)
    with transaction.atomic():
        for spec in progress_bar(specs, len(specs), "experts", progress):
            create_expert(
                None,
                source=AUDIT_SOURCE,
                industries=[industries[c] for c in spec.industries if c in industries],
                name_ko=spec.name_ko,
                affiliation=orgs.get(spec.affiliation_key),
                title=spec.title,
                specialties=spec.specialties,
                service_categories=list(spec.service_categories),
                email=spec.email,
                phone=spec.phone,
            )
    return len(specs)


# --- entry point -----------------------------------------------------------------------------


def load_demo(
    *,
    seed: int = 2010,
    scale: str = "2009",
    organisations: int | None = None,
    experts: int | None = None,
    password: str = DEMO_PASSWORD,
    progress: bool = False,
    log: Callable[[str], None] = lambda _msg: None,
) -> DemoReport:
    chosen = SCALES[scale]
    report = DemoReport(scale=scale, seed=seed, password=password)
    started = time.perf_counter()
    if world_exists():
        report.skipped_world = True
        log(
            "The registry already holds complexes: the world is kept and only the demo users "
            "are (re)made. To rebuild it, start from an empty database (e.g. `make clean`)."
        )
    else:
        build_world(
            seed=seed,
            scale=chosen,
            organisations=organisations,
            experts=experts,
            progress=progress,
            log=log,
            report=report,
        )
    step = time.perf_counter()
    report.users = ensure_users(password)
    report.timed("users", step)
    report.timings.append(("total", time.perf_counter() - started))
    report.counts.update(
        complexes=Complex.objects.count(),
        organisations=Organisation.objects.count(),
        experts=Expert.objects.count(),
        stats=ComplexStat.objects.count(),
    )
    return report


# --- fingerprint -----------------------------------------------------------------------------


def fingerprint() -> str:
    """SHA-256 over the registry's demo-relevant content, without primary keys or timestamps."""
    digest = hashlib.sha256()

    def feed(rows: Iterable[tuple[Any, ...]]) -> None:
        for row in rows:
            digest.update(repr(row).encode())

    feed(
        Complex.objects.order_by("kicox_id").values_list(
            "kicox_id",
            "name_ko",
            "kind",
            "province__code",
            "municipality_name",
            "status",
            "sold_area_1000m2",
            "tenants",
            "operating_firms",
        )
    )
    feed(
        ComplexStat.objects.order_by("complex__kicox_id", "year", "quarter").values_list(
            "complex__kicox_id",
            "year",
            "quarter",
            "tenants",
            "operating_firms",
            "employment_persons",
            "output_100m_krw",
            "exports_1m_usd",
        )
    )
    feed(
        Organisation.objects.order_by("kind", "name_ko", "business_number").values_list(
            "kind",
            "name_ko",
            "name_en",
            "business_number",
            "corporate_number",
            "industry__code",
            "employees",
            "complex__kicox_id",
            "address",
            "contact_name",
            "contact_email",
            "contact_phone",
        )
    )
    feed(
        Expert.objects.order_by("name_ko", "email", "title").values_list(
            "name_ko",
            "affiliation__name_ko",
            "title",
            "specialties",
            "service_categories",
            "email",
            "phone",
        )
    )
    return digest.hexdigest()
