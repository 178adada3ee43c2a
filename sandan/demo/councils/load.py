"""Entry point of the councils demo, the national top-up, fingerprint and clean-up."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

from sandan.core import clock
from sandan.councils.models import Activity, Attendance, Council, Membership
from sandan.demo.base import AUDIT_SOURCE, apportion, rng_for
from sandan.demo.councils.eras import (
    councils_2010_exist,
    early_councils_exist,
    load_2010,
    load_early_era,
)
from sandan.demo.councils.pools import CouncilsDemoSummary, World
from sandan.demo.councils.themes import (
    EARLY_ACTIVITIES,
    NATIONAL_ATTENDANCE,
    PERSON_TITLES,
)
from sandan.demo.registry.organisations import person
from sandan.program.models import Designation

# --- the national top-up ---------------------------------------------------------------------


def top_up_attendance(
    world: World, target: int = NATIONAL_ATTENDANCE, *, progress: bool = False
) -> int:
    """Attendance up to `target` rows: more people of the members and invited organisations
    at every activity. Benchmark load: fast_insert (COPY on PostgreSQL), one audit entry
    per activity under one batch. Returns how many rows were added."""
    from django.contrib.contenttypes.models import ContentType

    from sandan.core.io import complete_values, fast_insert
    from sandan.core.models import AuditAction, AuditEntry

    have = Attendance.objects.count()
    if have >= target:
        return 0
    activities = list(
        Activity.objects.select_related("council")
        .order_by("council__name", "council__hub__complex__kicox_id", "starts_at", "title", "id")
        .values_list("pk", "council_id", "council__name", "starts_at", "title", "status")
    )
    if not activities:
        return 0
    members: dict[int, list[int]] = defaultdict(list)
    for council_id, org_id in (
        Membership.objects.order_by("council_id", "organisation__name_ko", "organisation_id")
        .values_list("council_id", "organisation_id")
        .distinct()
    ):
        if org_id not in members[council_id]:
            members[council_id].append(org_id)
    existing: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for activity_id, org_id, name in Attendance.objects.values_list(
        "activity_id", "organisation_id", "person_name"
    ).iterator(chunk_size=20_000):
        existing[activity_id].add((org_id, name))
    shares = apportion(target - have, [1.0] * len(activities))
    now = clock.now()
    batch = f"demo-national-attendance-{world.seed}-{uuid.uuid4().hex[:8]}"
    titles = PERSON_TITLES["company"]
    content_type_id = ContentType.objects.get_for_model(Activity).pk
    added = 0
    rows: list[dict[str, Any]] = []
    audits: list[dict[str, Any]] = []

    def flush() -> None:
        fast_insert(Attendance, rows, batch_size=5000)
        fast_insert(AuditEntry, audits, batch_size=5000)
        rows.clear()
        audits.clear()

    with transaction.atomic():
        for (pk, council_id, council_name, starts_at, title, status), extra in zip(
            activities, shares, strict=True
        ):
            orgs = members.get(council_id) or []
            if not orgs or not extra:
                continue
            rng = rng_for(world.seed, "topup", council_name, starts_at.isoformat(), title)
            taken = existing[pk]
            state = "registered" if status == Activity.Status.PLANNED else "attended"
            before = len(taken)
            made = 0
            tries = 0
            while made < extra and tries < extra * 5:
                tries += 1
                org_id = orgs[rng.randrange(len(orgs))]
                name, _local = person(rng)
                if (org_id, name) in taken:
                    name = f"{name}{rng.randint(2, 99)}"
                    if (org_id, name) in taken:
                        continue
                taken.add((org_id, name))
                rows.append(
                    complete_values(
                        Attendance,
                        {
                            "activity_id": pk,
                            "organisation_id": org_id,
                            "person_name": name,
                            "person_title": rng.choice(titles),
                            "email": "",
                            "status": state,
                        },
                        now,
                    )
                )
                made += 1
            added += made
            audits.append(
                complete_values(
                    AuditEntry,
                    {
                        "actor_id": None,
                        "action": AuditAction.UPDATE,
                        "content_type_id": content_type_id,
                        "object_id": str(pk),
                        "object_repr": title[:255],
                        "changes": {"attendance_rows": [before, before + made]},
                        "source": AUDIT_SOURCE,
                        "batch": batch,
                        "reason": "national-scale benchmark attendance (bulk load)",
                    },
                    now,
                )
            )
            if len(rows) >= 100_000:
                flush()
        flush()
    return added


# --- entry point -----------------------------------------------------------------------------


def load_councils_demo(
    seed: int = 2010,
    scale: str = "2009",
    progress: bool = False,
    *,
    activities: int = EARLY_ACTIVITIES,
    activities_2010: tuple[int, int] = (8, 16),
    national_attendance: int = NATIONAL_ATTENDANCE,
    today: dt.date | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> CouncilsDemoSummary:
    """Councils, members, sub-groups, activities and attendance on top of the program demo.

    Each part runs only if its councils are missing, so a rerun adds nothing.
    """
    summary = CouncilsDemoSummary()
    started = time.perf_counter()
    world = World(seed)
    members_scale = 1.0
    if (
        not early_councils_exist()
        and Designation.objects.filter(program_year__year__range=(2005, 2009)).exists()
    ):
        load_early_era(world, activities=activities, scale=members_scale)
        summary.timings.append(("2005–2009", time.perf_counter() - started))
    step = time.perf_counter()
    if not councils_2010_exist() and Designation.objects.filter(program_year__year=2010).exists():
        load_2010(
            world,
            activities_per_council=activities_2010,
            today=today or clock.today(),
            scale=members_scale,
        )
        summary.timings.append(("2010", time.perf_counter() - step))
    if scale == "national":
        step = time.perf_counter()
        added = top_up_attendance(world, national_attendance, progress=progress)
        if added:
            summary.timings.append(("national attendance", time.perf_counter() - step))
            log(f"attendance: {added:,} rows added for the national scale")
    summary.councils_early = Council.objects.filter(
        hub__program_year__year__range=(2005, 2009)
    ).count()
    summary.councils_2010 = Council.objects.filter(hub__program_year__year=2010).count()
    summary.memberships = Membership.objects.count()
    summary.activities = Activity.objects.count()
    summary.attendance = Attendance.objects.count()
    return summary


# --- fingerprint -----------------------------------------------------------------------------


def fingerprint() -> str:
    """SHA-256 over the councils' content by natural keys (no ids, no timestamps of writing)."""
    digest = hashlib.sha256()

    def feed(rows: Iterable[tuple[Any, ...]]) -> None:
        for row in rows:
            digest.update(repr(row).encode())

    feed(
        Council.objects.order_by(
            "hub__program_year__year", "hub__complex__kicox_id", "name"
        ).values_list(
            "hub__program_year__year",
            "hub__complex__kicox_id",
            "name",
            "theme_kind",
            "industry__code",
            "technology",
            "status",
            "merged_into__name",
        )
    )
    org_key = ("organisation__kind", "organisation__name_ko", "organisation__business_number")
    feed(
        Membership.objects.order_by(
            "council__hub__complex__kicox_id", "council__name", *org_key, "joined_on"
        ).values_list(
            "council__hub__program_year__year",
            "council__hub__complex__kicox_id",
            "council__name",
            *org_key,
            "role",
            "joined_on",
            "left_on",
            "annual_fee_krw",
        )
    )
    feed(
        Activity.objects.order_by(
            "council__hub__complex__kicox_id", "council__name", "starts_at", "title"
        ).values_list(
            "council__hub__complex__kicox_id",
            "council__name",
            "kind",
            "title",
            "status",
            "starts_at",
            "ends_at",
            "place",
            "problems_raised",
            "problems_note",
        )
    )
    feed(
        Attendance.objects.order_by(
            "activity__council__hub__complex__kicox_id",
            "activity__council__name",
            "activity__starts_at",
            "activity__title",
            *org_key,
            "person_name",
        )
        .values_list(
            "activity__council__name",
            "activity__starts_at",
            "activity__title",
            *org_key,
            "person_name",
            "person_title",
            "status",
        )
        .iterator(chunk_size=20_000)
    )
    return digest.hexdigest()


def delete_councils() -> None:
    """Remove every council row (attendance, activities, members, councils), children
    first; for tests that rebuild the world. Not a service: it writes no audit entries."""
    from sandan.councils.models import ActivityAttachment, ActivityReminder, SubGroup
    from sandan.demo.outreach import delete_outreach

    delete_outreach()  # the dues of the members, which keep them
    Attendance.objects.all().delete()
    ActivityReminder.objects.all().delete()
    ActivityAttachment.objects.all().delete()
    Activity.objects.all().delete()
    SubGroup.objects.all().delete()
    Membership.objects.all().delete()
    Council.objects.filter(merged_into__isnull=False).delete()
    Council.objects.all().delete()
