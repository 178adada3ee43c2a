"""Generating the problems: drawn, triaged, simulated through the pipeline, referred."""

from __future__ import annotations

import datetime as dt
import math
import random
import unicodedata
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sandan.demo.base import rng_for
from sandan.demo.support.plans import (
    ProblemPlan,
    ProjectPlan,
    ReferralPlan,
    _after,
    _lognormal_days,
    _slots,
    _submitted,
    _weighted,
    _write,
)
from sandan.demo.support.world import (
    ANALYSIS_CHUNK,
    AS_OF,
    BACKLOG,
    CATEGORY_WEIGHTS,
    FATES,
    KST,
    PARTNER_KINDS,
    REUSE_FIRM,
    SMALL_SHARE,
    SOURCES,
    UNSURE,
    YEAR,
    Firm,
    World,
)
from sandan.registry.models import Organisation
from sandan.support.models import (
    Problem,
    Referral,
)

# --- generation ------------------------------------------------------------------------------


class ProblemGenerator:
    """The problems' half of the generator (the projects' half: `projects.Generator`)."""

    def __init__(self, world: World, count: int) -> None:
        self.world = world
        self.count = count
        self.seed = world.seed
        self.needs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for need in world.words["needs"]:
            self.needs[need["category"]].append(need)
        self.problems: list[ProblemPlan] = []
        self.projects: list[ProjectPlan] = []

    # problems

    def _need(self, rng: random.Random, category: str) -> dict[str, Any]:
        options = self.needs[category]
        weights = [0.4 if n.get("misleading") else 1.0 for n in options]
        return rng.choices(options, weights=weights)[0]

    def _problem(
        self,
        index: int,
        firm: Firm,
        rng: random.Random,
        *,
        need_key: str | None = None,
        category: str | None = None,
        submitted_at: dt.datetime | None = None,
        fate: str | None = None,
        source: str | None = None,
        forced: dict[str, Any] | None = None,
    ) -> ProblemPlan | None:
        world = self.world
        place = world.places.get(firm.complex_id)
        if place is None:
            return None
        if need_key is not None:
            need = next(n for n in world.words["needs"] if n["key"] == need_key)
        else:
            need = self._need(rng, category or _weighted(rng, CATEGORY_WEIGHTS))
        source = source or _weighted(rng, SOURCES)
        activity_id = None
        when = submitted_at or _submitted(rng)
        if source == "activity":
            held = world.activities.get(place.hub.pk, [])
            if held:
                activity_id, when = rng.choice(held)
            else:
                source = "web"
        slots = _slots(world, firm, rng)
        title, description, help_wanted = _write(world, need, slots, source, rng)
        if fate is None:
            fate = _weighted(rng, FATES)
            if firm.employees > 300 and rng.random() < 0.6:
                fate = "reject_early"
        return ProblemPlan(
            index=index,
            firm=firm,
            place=place,
            need=need,
            slots=slots,
            intended=need["category"],
            source=source,
            activity_id=activity_id,
            submitted_at=when,
            title=title,
            description=description,
            help_wanted=help_wanted,
            urgency=_weighted(rng, world.words["urgency"]),
            fate=fate,
            forced=forced or {},
        )

    def draw_problems(self) -> None:
        world = self.world
        rng = rng_for(self.seed, "support", "problems")
        company = world.firm_by_pk.get(world.users.company_org or 0)
        if company is not None and company.complex_id in world.places:
            story = (
                (
                    "prototype",
                    dt.datetime(YEAR, 4, 12, 10, 20),
                    "project",
                    {"project": "completed"},
                ),
                ("defects", dt.datetime(YEAR, 8, 23, 14, 5), "project", {"project": "in_progress"}),
                ("buyers", dt.datetime(YEAR, 11, 15, 9, 40), "stay", {"match": True}),
                ("cnc_cad", dt.datetime(YEAR, 12, 17, 16, 30), "stay", {"untriaged": True}),
            )
            for key, when, fate, forced in story:
                plan = self._problem(
                    len(self.problems),
                    company,
                    rng,
                    need_key=key,
                    submitted_at=when.replace(tzinfo=KST),
                    fate=fate,
                    source="web",
                    forced={**forced, "company": True},
                )
                if plan is not None:
                    self.problems.append(plan)
        earlier: list[tuple[Firm, str]] = []
        while len(self.problems) < self.count and world.firms:
            category = None
            if earlier and rng.random() < REUSE_FIRM:
                # The same firm again, half the time with the same kind of need (the
                # duplicate-funding check has something to find).
                firm, same = rng.choice(earlier)
                category = same if rng.random() < 0.5 else None
            elif world.larger and (not world.small or rng.random() > SMALL_SHARE):
                firm = rng.choice(world.larger)
            else:
                firm = rng.choice(world.small)
            plan = self._problem(len(self.problems), firm, rng, category=category)
            if plan is not None:
                self.problems.append(plan)
                earlier.append((firm, plan.intended))
        self.problems.sort(key=lambda p: (p.submitted_at, p.index))

    # triage suggestions

    def suggest(self) -> None:
        from sandan.support.selectors import triage_for_year
        from sandan.support.text import morphemes, stored_analysis

        engine = triage_for_year(self.world.year)
        texts = list(dict.fromkeys(plan.text for plan in self.problems))
        cache: dict[str, Any] = {}
        for start in range(0, len(texts), ANALYSIS_CHUNK):
            chunk = texts[start : start + ANALYSIS_CHUNK]
            # The Korean analysis is most of the cost and Kiwi releases the GIL: analyse the
            # chunk on two threads into the analyser's cache (the text as the engine
            # normalises it), then the engine's own calls find it there.
            with ThreadPoolExecutor(max_workers=2) as pool:
                list(
                    pool.map(
                        morphemes, [unicodedata.normalize("NFKC", text).strip() for text in chunk]
                    )
                )
            for text in chunk:
                # Kept with the problem, as services.problem_fields does (ADR 0010).
                cache[text] = (engine.suggest(text), stored_analysis(text))
        for plan in self.problems:
            found, plan.analysis = cache[plan.text]
            # As services.suggest_for_text stores it: a category of the year, the confidence
            # clamped to [0, 1] and rounded, at most 12 evidence words.
            if found.code in self.world.categories:
                confidence = float(found.confidence)
                confidence = 0.0 if math.isnan(confidence) else min(1.0, max(0.0, confidence))
                plan.suggested = found.code
                plan.confidence = round(confidence, 4)
                plan.evidence = [str(word) for word in found.evidence][:12]
                plan.runner_up = next(
                    (str(code) for code, _score in found.ranking if code != found.code), ""
                )

    # the pipeline

    def simulate(self) -> None:
        words = self.world.words
        for plan in self.problems:
            rng = rng_for(self.seed, "support", "life", plan.index)
            delay = _lognormal_days(rng, 2.0, 0.8)
            triaged = _after(plan.submitted_at, delay, rng)
            if plan.forced.get("untriaged") or (
                plan.submitted_at.month == 12 and rng.random() < BACKLOG
            ):  # the year-end backlog: not yet triaged on 31 December
                triaged = AS_OF + dt.timedelta(days=3)
            if plan.fate == "reject_early":
                when = _after(plan.submitted_at, rng.uniform(1, 6), rng)
                if when <= AS_OF:
                    plan.status = Problem.Status.REJECTED
                    plan.closed_at = when
                    plan.close_reason = rng.choice(words["reject_reasons"])
                continue
            if triaged > AS_OF:
                continue
            if plan.fate == "refer_untriaged":
                self._refer(plan, triaged, rng)
                continue
            # Triage: the coordinator confirms the suggestion, or chooses what the firm meant.
            plan.category = plan.intended
            if (
                plan.confidence is not None
                and plan.confidence < UNSURE
                and plan.runner_up in self.world.categories
                and rng.random() < 0.3
            ):  # an ambiguous statement: the coordinator's judgment differs from the engine's
                plan.category = plan.runner_up if plan.suggested == plan.intended else plan.intended
            plan.triaged_at = triaged
            plan.status = Problem.Status.TRIAGED
            if plan.suggested and plan.suggested != plan.category:
                plan.triage_note = rng.choice(words["override_notes"])
            if plan.fate == "reject_late":
                when = _after(triaged, rng.uniform(3, 20), rng)
                if when <= AS_OF:
                    plan.status = Problem.Status.REJECTED
                    plan.closed_at = when
                    plan.close_reason = rng.choice(words["reject_reasons"][1:])
                continue
            if plan.fate == "refer":
                self._refer(plan, _after(triaged, rng.uniform(1, 10), rng), rng)
                continue
            if plan.fate == "withdraw":
                when = _after(triaged, rng.uniform(5, 40), rng)
                if when <= AS_OF:
                    self._close(plan, when, rng.choice(words["close_reasons"][1:3]))
                continue
            needs_expert = plan.fate in ("mentoring",) or rng.random() < (
                0.8 if plan.fate == "project" else 0.7
            )
            if plan.forced.get("match") or plan.forced.get("project"):
                needs_expert = True
            if needs_expert:
                matched = _after(triaged, rng.uniform(1, 8), rng)
                if matched > AS_OF:
                    continue
                plan.matched_at = matched
                plan.status = Problem.Status.MATCHED
                plan.two_experts = rng.random() < 0.2
            if plan.fate == "mentoring":
                assert plan.matched_at is not None
                when = _after(plan.matched_at, rng.uniform(25, 90), rng)
                if when <= AS_OF:
                    self._close(plan, when, words["close_reasons"][0])
                continue

    def _close(self, plan: ProblemPlan, when: dt.datetime, reason: str) -> None:
        plan.status = Problem.Status.CLOSED
        plan.closed_at = when
        plan.resolved_at = plan.resolved_at or when
        plan.close_reason = reason

    def _refer(self, plan: ProblemPlan, when: dt.datetime, rng: random.Random) -> None:
        if when > AS_OF:
            return
        kind = _weighted(rng, PARTNER_KINDS)
        agency = (
            self.world.partner(rng, [Organisation.Kind.AGENCY], plan.place, kind)
            if kind != "other"
            else None
        )
        texts = self.world.words["referrals"][kind]
        referral = ReferralPlan(
            partner_kind=kind,
            agency_id=agency.pk if agency is not None else None,
            note=rng.choice(texts["notes"]),
            referred_at=when,
            status=Referral.Status.SENT,
            outcome="",
            closed_at=None,
        )
        plan.referral = referral
        plan.status = Problem.Status.REFERRED
        accepted = _after(when, rng.uniform(2, 10), rng)
        if accepted > AS_OF:
            return
        if rng.random() < 0.12:
            referral.status = Referral.Status.DECLINED
            referral.closed_at = accepted
            referral.outcome = rng.choice(texts["declined"])
            plan.status = Problem.Status.TRIAGED if plan.category else Problem.Status.SUBMITTED
            return
        referral.status = Referral.Status.ACCEPTED
        done = _after(accepted, rng.uniform(15, 70), rng)
        if done > AS_OF:
            return
        if rng.random() < 0.07:
            referral.status = Referral.Status.DECLINED
            referral.closed_at = done
            referral.outcome = rng.choice(texts["declined"])
            plan.status = Problem.Status.TRIAGED if plan.category else Problem.Status.SUBMITTED
            return
        referral.status = Referral.Status.COMPLETED
        referral.closed_at = done
        referral.outcome = rng.choice(texts["outcomes"])
        self._close(plan, done, "협력기관 연계로 지원 완료")
