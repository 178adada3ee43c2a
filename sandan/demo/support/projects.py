"""Generating the projects: planned from the problems, staffed with experts, detailed."""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections import defaultdict
from typing import Any

from sandan.demo.base import rng_for
from sandan.demo.support.plans import (
    Assigned,
    ProblemPlan,
    ProjectPlan,
    _after,
    _at,
    _day,
    _fill,
    _working,
)
from sandan.demo.support.problems import ProblemGenerator
from sandan.demo.support.world import AS_OF, CANCEL, EXPERT_CASES, LINKAGE, YEAR
from sandan.registry.models import Expert, Industry, Organisation
from sandan.support.models import (
    BudgetLine,
    ExpertAssignment,
    Problem,
    Project,
)


class Generator(ProblemGenerator):
    """Plans the year: problems (`ProblemGenerator`), then projects, experts, details."""

    # projects

    def plan_projects(self) -> None:
        words = self.world.words
        ready = [
            p
            for p in self.problems
            if p.fate == "project"
            and p.status in (Problem.Status.TRIAGED, Problem.Status.MATCHED)
            and p.place.hub is not None
        ]
        # Problems ready for a project, by category (and hub), in the order they got ready.
        by_category: dict[str, list[ProblemPlan]] = defaultdict(list)
        by_hub: dict[tuple[str, int], list[ProblemPlan]] = defaultdict(list)
        for plan in sorted(ready, key=lambda p: (p.ready_at, p.index)):
            by_category[plan.category].append(plan)
            by_hub[plan.category, plan.place.hub.pk].append(plan)
        taken: set[int] = set()
        for lead in ready:
            if lead.index in taken:
                continue
            rng = rng_for(self.seed, "support", "project", lead.index)
            taken.add(lead.index)
            created = _after(lead.ready_at, rng.uniform(3, 15), rng)
            members = [lead]
            if rng.random() < LINKAGE and not lead.forced:
                # A linkage project takes in problems of the same category that got ready
                # in the meantime: of the hub's other complexes (산단간) if there are any,
                # else of other zones (광역권간).
                for pool in (by_hub[lead.category, lead.place.hub.pk], by_category[lead.category]):
                    low = bisect.bisect_left([p.ready_at for p in pool], lead.ready_at)
                    window = [
                        other
                        for other in pool[low:]
                        if other.ready_at < created
                        and other.index not in taken
                        and not other.forced
                        and other.place.complex_id != lead.place.complex_id
                        and other.firm.pk != lead.firm.pk
                    ]
                    if window:
                        rng.shuffle(window)
                        for other in window[: rng.choice((1, 1, 2))]:
                            if other.firm.pk not in {m.firm.pk for m in members}:
                                members.append(other)
                                taken.add(other.index)
                        break
            if created > AS_OF:
                continue
            self._project(members, created, rng, words)

    def _project(
        self,
        members: list[ProblemPlan],
        created: dt.datetime,
        rng: random.Random,
        words: dict[str, Any],
    ) -> None:
        lead = members[0]
        need = lead.need
        kind = rng.choice(need["types"])
        zones = {m.place.zone_id for m in members}
        complexes = {m.place.complex_id for m in members}
        scope = (
            Project.Scope.INTER_ZONE
            if len(zones) > 1
            else Project.Scope.INTER_COMPLEX
            if len(complexes) > 1
            else Project.Scope.SINGLE_COMPLEX
        )
        title = _fill(rng.choice(need["projects"]), lead.slots)
        if scope != Project.Scope.SINGLE_COMPLEX:
            title = f"[연계] {title}"
        summary = _fill(rng.choice(need["summaries"]), lead.slots)
        low, high = words["durations"][kind]
        forced = lead.forced.get("project")
        submitted = _after(created, rng.uniform(5, 20), rng)
        approved = _after(submitted, rng.uniform(5, 15), rng)
        started = _after(approved, rng.uniform(3, 10), rng)
        # A project runs within its program year (the services refuse dates outside it): one
        # approved late in the year starts by its last day and ends with it.
        year_end = dt.date(YEAR, 12, 31)
        start_date = min(_day(approved) + dt.timedelta(days=rng.randint(5, 12)), year_end)
        end_date = min(start_date + dt.timedelta(days=rng.randint(low, high)), year_end)
        if forced == "completed":
            end_date = min(end_date, dt.date(YEAR, 11, 26))
            end_date = max(end_date, start_date + dt.timedelta(days=30))
        completed = _working(_at(end_date, 17, rng.randint(0, 50)), rng)
        if forced == "in_progress" and completed <= AS_OF:
            end_date = year_end
            completed = _at(end_date, 17)
        project = ProjectPlan(
            problems=members,
            type=kind,
            title=title,
            summary=summary,
            scope=scope,
            created=created,
            status=Project.Status.DRAFT,
            start_date=start_date,
            end_date=end_date,
        )
        stages = [
            (submitted, Project.Status.SUBMITTED),
            (approved, Project.Status.APPROVED),
            (started, Project.Status.IN_PROGRESS),
            (completed, Project.Status.COMPLETED),
        ]
        # Cancelled while draft (0), submitted (1), approved (2) or in progress (3).
        cancel_at = rng.randrange(4) if not forced and rng.random() < CANCEL else -1
        moments: dict[str, dt.datetime] = {Project.Status.DRAFT: created}
        for number, (when, status) in enumerate(stages):
            if number == cancel_at:  # instead of the next step, a reason to stop
                cancelled = _after(moments[project.status], rng.uniform(5, 30), rng)
                if cancelled <= AS_OF:
                    project.cancelled_from = project.status
                    project.status = Project.Status.CANCELLED
                    project.cancelled_at = cancelled
                    project.cancel_reason = rng.choice(words["cancel_reasons"])
                break
            if when > AS_OF:
                break
            project.status = status
            moments[status] = when
        project.submitted_at = moments.get(Project.Status.SUBMITTED)
        project.approved_at = moments.get(Project.Status.APPROVED)
        project.started_at = moments.get(Project.Status.IN_PROGRESS)
        project.completed_at = moments.get(Project.Status.COMPLETED)
        if project.status == Project.Status.DRAFT and rng.random() < 0.4:
            project.start_date = project.end_date = None  # the plan is not written yet
        for member in members:
            member.project = project
        self.projects.append(project)

    def settle_problems(self) -> None:
        """The problems' status as the project services leave it (approve → in project,
        start → started clock, complete → closed; a cancelled one gives them back)."""
        for project in self.projects:
            for plan in project.problems:
                if project.status in (Project.Status.APPROVED, Project.Status.IN_PROGRESS):
                    plan.status = Problem.Status.IN_PROJECT
                    plan.project_started_at = project.started_at
                elif project.status == Project.Status.COMPLETED:
                    assert project.completed_at is not None
                    plan.status = Problem.Status.CLOSED
                    plan.project_started_at = project.started_at
                    plan.resolved_at = plan.closed_at = project.completed_at
                    plan.close_reason = ""

    # experts

    def assign_experts(self) -> None:
        from sandan.support.matching import Case, Matcher, ksic2_of, profiles_from_queryset

        experts = (
            Expert.objects.filter(is_active=True)
            .select_related("affiliation")
            .prefetch_related("industries__parent__parent__parent__parent")
            .order_by("name_ko", "email", "id")
        )
        profiles = profiles_from_queryset(experts)
        if not profiles:
            for plan in self.problems:  # nobody to assign: the problems stay triaged
                if plan.matched_at is not None:
                    plan.matched_at = None
                    if plan.status == Problem.Status.MATCHED:
                        plan.status = Problem.Status.TRIAGED
            return
        matcher = Matcher(profiles)
        affiliation = {int(p.id): p.affiliation_id for p in profiles}
        sections = dict(
            Industry.objects.filter(level=Industry.Level.DIVISION).values_list(
                "code", "parent__code"
            )
        )
        for plan in self.problems:
            if plan.matched_at is None:
                continue
            rng = rng_for(self.seed, "support", "experts", plan.index)
            division = plan.firm.division
            case = Case(
                text=plan.text,
                category=plan.category,
                ksic2=ksic2_of(division, sections.get(division)) if division else "",
                firm_organisation_id=str(plan.firm.pk),
            )
            ranked = matcher.rank(case, k=5)
            if not ranked:
                continue
            picks = [ranked[0] if rng.random() < 0.7 else rng.choice(ranked[:3])]
            if plan.two_experts and len(ranked) > 1:
                second = next(m for m in ranked if m.expert_id != picks[0].expert_id)
                picks.append(second)
            for number, match in enumerate(picks):
                plan.experts.append(
                    Assigned(
                        expert_id=int(match.expert_id),
                        score=round(float(match.score), 4),
                        explanation=match.explanation,
                        assigned_at=plan.matched_at
                        if number == 0
                        else min(AS_OF, plan.matched_at + dt.timedelta(hours=rng.uniform(1, 6))),
                    )
                )
        for plan in self.problems:  # no expert found: the problem stays triaged
            if plan.matched_at is not None and not plan.experts:
                plan.matched_at = None
                if plan.status == Problem.Status.MATCHED:
                    plan.status = Problem.Status.TRIAGED
        self._demo_expert(affiliation)

    def _demo_expert(self, affiliation: dict[int, str | None]) -> None:
        """The demo expert takes cases of the coordinator's office (and the demo company's
        matched problem), most of them still open."""
        users = self.world.users
        expert = users.expert
        if expert is None:
            return
        own = affiliation.get(expert)
        office = users.coordinator_office
        candidates = [
            p
            for p in self.problems
            if p.experts
            and (p.place.office_id == office or p.forced.get("company"))
            and str(p.firm.pk) != own
        ]
        open_ = [
            p for p in candidates if p.status in (Problem.Status.MATCHED, Problem.Status.IN_PROJECT)
        ]
        closed = [p for p in candidates if p.status == Problem.Status.CLOSED]
        chosen = [p for p in open_ if p.forced.get("company")]
        chosen += [p for p in reversed(open_) if p not in chosen][: EXPERT_CASES - 2]
        chosen += list(reversed(closed))[: EXPERT_CASES - len(chosen)]
        for plan in chosen:
            if any(a.expert_id == expert for a in plan.experts):
                continue
            first = plan.experts[0]
            first.expert_id = expert
            first.score = None
            first.explanation = "코디네이터 지정 배정"

    def settle_assignments(self) -> None:
        for plan in self.problems:
            rng = rng_for(self.seed, "support", "assignment", plan.index)
            if len(plan.experts) > 1 and rng.random() < 0.15:
                first = plan.experts[0]
                ended = _after(first.assigned_at, rng.uniform(5, 20), rng)
                if ended <= AS_OF:
                    first.status = ExpertAssignment.Status.WITHDRAWN
                    first.ended_at = ended
                    first.withdrawn = True
            if plan.status == Problem.Status.CLOSED:
                for assigned in plan.experts:
                    if not assigned.withdrawn:
                        assigned.status = ExpertAssignment.Status.COMPLETED
                        assigned.ended_at = plan.closed_at

    # project details

    def detail_projects(self) -> None:
        world = self.world
        words = world.words
        profiles = dict(
            Expert.objects.filter(
                pk__in={a.expert_id for p in self.problems for a in p.experts}
            ).values_list("pk", "affiliation_id")
        )
        for number, project in enumerate(self.projects):
            rng = rng_for(self.seed, "support", "detail", project.lead.index, number)
            for plan in project.problems:
                if plan.firm.pk not in project.firms:
                    project.firms.append(plan.firm.pk)
            for plan in project.problems:
                for assigned in plan.experts:
                    if (
                        assigned.withdrawn
                        or assigned.expert_id in project.experts
                        or profiles.get(assigned.expert_id) in project.firms
                    ):
                        continue
                    project.experts.append(assigned.expert_id)
            place = project.lead.place
            if project.type in ("joint_rnd", "prototype") and rng.random() < 0.7:
                partner = world.partner(
                    rng, [Organisation.Kind.UNIVERSITY, Organisation.Kind.INSTITUTE], place
                )
                if partner is not None:
                    project.others.append((partner.pk, partner.kind))
            if project.type in ("joint_rnd", "prototype", "marketing") and rng.random() < 0.15:
                partner = world.partner(rng, [Organisation.Kind.AGENCY], place, "technopark")
                if partner is not None and partner.pk not in {o for o, _r in project.others}:
                    project.others.append((partner.pk, Organisation.Kind.AGENCY))
            if project.status != Project.Status.DRAFT or rng.random() < 0.5:
                self._budget(project, rng, words)
            if project.start_date is not None and project.end_date is not None:
                self._milestones(project, rng, words)

    def _budget(self, project: ProjectPlan, rng: random.Random, words: dict[str, Any]) -> None:
        low, high = words["budgets"][project.type]
        total = rng.randint(low // 100_000, high // 100_000) * 100_000
        share = rng.uniform(0.2, 0.42)
        firm_total = math.ceil(total * share / 10_000) * 10_000
        while 5 * firm_total < total:  # the 2010 rule: the firms pay at least 20 %
            firm_total += 10_000
        grant = total - firm_total
        lead = project.firms[0]
        project.budget.append(
            (
                BudgetLine.Kind.PUBLIC_GRANT,
                grant,
                lead if rng.random() < 0.6 else None,
                "정부지원금(클러스터사업)",
            )
        )
        others = project.firms[1:]
        in_kind = 0
        if rng.random() < 0.6:
            in_kind = (firm_total * rng.randint(20, 50) // 100) // 10_000 * 10_000
        shares_of_others = [max(10_000, firm_total // 10 // 10_000 * 10_000) for _f in others]
        cash = firm_total - in_kind - sum(shares_of_others)
        if cash <= 0:
            in_kind, shares_of_others = 0, [0 for _f in others]
            cash = firm_total
        project.budget.append((BudgetLine.Kind.FIRM_CASH, cash, lead, "주관기업 현금 부담"))
        if in_kind:
            project.budget.append(
                (BudgetLine.Kind.FIRM_IN_KIND, in_kind, lead, "연구 인력·설비 현물")
            )
        for firm, amount in zip(others, shares_of_others, strict=True):
            if amount:
                project.budget.append((BudgetLine.Kind.FIRM_CASH, amount, firm, "참여기업 부담"))

    def _milestones(self, project: ProjectPlan, rng: random.Random, words: dict[str, Any]) -> None:
        assert project.start_date is not None and project.end_date is not None
        steps = words["milestones"][project.type]
        span = (project.end_date - project.start_date).days
        for number, (title, deliverable) in enumerate(steps, start=1):
            due = project.start_date + dt.timedelta(days=span * number // len(steps))
            done: dt.datetime | None = None
            if project.status == Project.Status.COMPLETED:
                assert project.completed_at is not None
                done = min(_working(_at(due, 16), rng), project.completed_at)
            elif project.status == Project.Status.IN_PROGRESS or (
                project.status == Project.Status.CANCELLED
                and project.cancelled_from == Project.Status.IN_PROGRESS
            ):
                moment = _working(_at(due, 16), rng)
                limit = project.cancelled_at or AS_OF
                if moment <= limit and (project.started_at is None or moment > project.started_at):
                    done = moment
            project.milestones.append((title, due, deliverable, done))
