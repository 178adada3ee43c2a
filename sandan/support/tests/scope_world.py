"""The support pipeline's share of the scope world: one case per hub of 2010.

On the program's three hubs — Changwon (dongnam, managed by the dongnam branch), Ulsan
(dongnam, not managed by the branch) and Banwol (capital) — one problem of the hub's firm,
with an attachment, a triage decision, an expert assignment and a mentoring note, a
referral, and one project with participants, a milestone, a budget line, a document, a
duplicate flag, an outcome and a survey with its response. The expert user (박지훈) is
assigned to the Changwon problem and takes part in the Changwon project; (주)창원기계 — the
company user's firm — is the Changwon firm. The Banwol project is inter-zone: 울산화학(주), a
dongnam firm outside the dongnam branch, takes part in it as a partner, so the dongnam
regional HQ reads (only reads) that project and its parts.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from sandan.core.tests.world import EVERY, Expected, Part, Table, World, build_world, rows
from sandan.support.models import (
    BudgetLine,
    DuplicateFlag,
    ExpertAssignment,
    MentoringNote,
    Milestone,
    Outcome,
    Participant,
    Problem,
    ProblemAttachment,
    Project,
    ProjectDocument,
    Referral,
    Survey,
    SurveyResponse,
    TriageDecision,
)

MODELS = (
    "support.problem",
    "support.problemattachment",
    "support.triagedecision",
    "support.expertassignment",
    "support.mentoringnote",
    "support.project",
    "support.participant",
    "support.milestone",
    "support.budgetline",
    "support.projectdocument",
    "support.referral",
    "support.duplicateflag",
    "support.outcome",
    "support.survey",
    "support.surveyresponse",
)
SHORT = {label: label.split(".")[1] for label in MODELS}
HUBS = ("changwon", "ulsan", "banwol")
RUN = ("view", "add", "change", "delete", "contact")


def of_hub(label: str, hub: str) -> frozenset[str]:
    """The keys of `label`'s rows that belong to one hub."""
    if label == "support.participant":
        extra = {
            "changwon": ("participant_changwon_expert",),
            "banwol": ("participant_banwol_partner",),
        }
        return rows(f"participant_{hub}_lead", *extra.get(hub, ()))
    return rows(f"{SHORT[label]}_{hub}")


def _in_scope(*hubs: str, approve: bool = False) -> dict[str, dict[str, Expected]]:
    table: dict[str, dict[str, Expected]] = {}
    for label in MODELS:
        reach = frozenset().union(*(of_hub(label, hub) for hub in hubs))
        table[label] = dict.fromkeys(RUN, reach)
    if approve:
        table["support.project"]["approve"] = rows(*(f"project_{hub}" for hub in hubs))
    return table


CHANGWON_VIEW = {label: {"view": of_hub(label, "changwon")} for label in MODELS}
# What hangs off a project (not off its problems): a reader of the project reads these.
PROJECT_PARTS = tuple(label for label in MODELS[5:] if label != "support.referral")


def _also_reads(table: dict[str, dict[str, Expected]], hub: str) -> dict[str, dict[str, Expected]]:
    """`table`, plus reading the project of `hub` and its parts (a partner firm's staff)."""
    for label in PROJECT_PARTS:
        actions = table.setdefault(label, {})
        actions["view"] = frozenset(actions.get("view", frozenset())) | of_hub(label, hub)
    return table


EXPECTED: Table = {
    # National readers: every row, read-only.
    "ministry": {label: {"view": EVERY} for label in MODELS},
    "auditor": {label: {"view": EVERY} for label in MODELS},
    # HQ runs the whole pipeline and approves any project.
    "hq": {
        **{label: dict.fromkeys(RUN, EVERY) for label in MODELS},
        "support.project": {**dict.fromkeys(RUN, EVERY), "approve": EVERY},
    },
    # The dongnam regional HQ: both dongnam hubs, and approves their projects; it reads the
    # inter-zone Banwol project, in which a firm of its zone takes part, and changes nothing
    # of it.
    "regional": _also_reads(_in_scope("changwon", "ulsan", approve=True), "banwol"),
    # The dongnam branch's coordinator: the hub its branch manages; approves nothing.
    "coordinator": _in_scope("changwon"),
    # The Changwon firm: its own problem (which it adds), its project and what hangs off
    # it, its own outcome and survey; never the triage log or the duplicate flags.
    "company": {
        **{
            label: CHANGWON_VIEW[label]
            for label in MODELS
            if label not in ("support.triagedecision", "support.duplicateflag")
        },
        "support.problem": {"view": rows("problem_changwon"), "add": rows("problem_changwon")},
        "support.problemattachment": {
            "view": rows("problemattachment_changwon"),
            "add": rows("problemattachment_changwon"),
        },
        "support.survey": {"view": rows("survey_changwon"), "contact": rows("survey_changwon")},
    },
    # The expert: only the problem assigned to them and the project they take part in;
    # writes mentoring notes and project documents; no budget, referral or survey rows.
    "expert": {
        "support.problem": {"view": rows("problem_changwon")},
        "support.problemattachment": {"view": rows("problemattachment_changwon")},
        "support.expertassignment": {"view": rows("expertassignment_changwon")},
        "support.mentoringnote": dict.fromkeys(
            ("view", "add", "change"), rows("mentoringnote_changwon")
        ),
        "support.project": {"view": rows("project_changwon")},
        "support.participant": {"view": of_hub("support.participant", "changwon")},
        "support.milestone": {"view": rows("milestone_changwon")},
        "support.projectdocument": dict.fromkeys(("view", "add"), rows("projectdocument_changwon")),
        "support.outcome": {"view": rows("outcome_changwon")},
    },
}


def build(w: World) -> None:
    year = w["year_2010"]
    category = w["category_MFG_EFFICIENCY"]
    now = timezone.now()
    firms = {
        "changwon": "company_dongnam",
        "ulsan": "company_dongnam_unmanaged",
        "banwol": "company_capital",
    }
    experts = {"changwon": "expert_linked", "ulsan": "expert_capital", "banwol": "expert_capital"}
    for hub_key in HUBS:
        firm = w[firms[hub_key]]
        hub = w[f"hub_{hub_key}"]
        problem = w.add(
            f"problem_{hub_key}",
            Problem.objects.create(
                organisation=firm,
                program_year=year,
                hub=hub,
                complex=firm.complex,
                zone=hub.zone,
                title=f"{hub_key} 사출 불량 문제",
                description="여름철 수축 불량이 늘어납니다.",
                status=Problem.Status.MATCHED,
                category=category,
                submitted_at=now - dt.timedelta(days=20),
                triaged_at=now - dt.timedelta(days=18),
            ),
        )
        w.add(
            f"problemattachment_{hub_key}",
            ProblemAttachment.objects.create(
                problem=problem,
                file=f"support/problems/{hub_key}.pdf",
                title="불량 사진",
                content_type="application/pdf",
                size_bytes=2048,
            ),
        )
        w.add(
            f"triagedecision_{hub_key}",
            TriageDecision.objects.create(problem=problem, chosen=category, decided_at=now),
        )
        assignment = w.add(
            f"expertassignment_{hub_key}",
            ExpertAssignment.objects.create(
                problem=problem, expert=w[experts[hub_key]], assigned_at=now
            ),
        )
        w.add(
            f"mentoringnote_{hub_key}",
            MentoringNote.objects.create(
                assignment=assignment, body="금형 냉각 점검", date=dt.date(2010, 5, 3)
            ),
        )
        w.add(
            f"referral_{hub_key}",
            Referral.objects.create(
                problem=problem,
                partner_kind=Referral.PartnerKind.TECHNOPARK,
                agency=w["agency_nowhere"],
                referred_at=now,
                status=Referral.Status.DECLINED,
                closed_at=now,
            ),
        )
        project = w.add(
            f"project_{hub_key}",
            Project.objects.create(
                program_year=year,
                hub=hub,
                zone=hub.zone,
                title=f"{hub_key} 불량 저감 지원",
                type=Project.Type.MENTORING,
                category=category,
                status=Project.Status.SUBMITTED,
            ),
        )
        project.problems.add(problem)
        w.add(
            f"participant_{hub_key}_lead",
            Participant.objects.create(
                project=project, organisation=firm, role=Participant.Role.LEAD_FIRM
            ),
        )
        if hub_key == "changwon":
            w.add(
                "participant_changwon_expert",
                Participant.objects.create(
                    project=project, expert=w["expert_linked"], role=Participant.Role.EXPERT
                ),
            )
        if hub_key == "banwol":
            project.scope = Project.Scope.INTER_ZONE
            project.save(update_fields=["scope"])
            w.add(
                "participant_banwol_partner",
                Participant.objects.create(
                    project=project,
                    organisation=w["company_dongnam_unmanaged"],
                    role=Participant.Role.FIRM,
                ),
            )
        w.add(
            f"milestone_{hub_key}",
            Milestone.objects.create(project=project, title="진단", due_date=dt.date(2010, 5, 31)),
        )
        w.add(
            f"budgetline_{hub_key}",
            BudgetLine.objects.create(
                project=project, kind=BudgetLine.Kind.FIRM_CASH, organisation=firm, amount_krw=1
            ),
        )
        w.add(
            f"projectdocument_{hub_key}",
            ProjectDocument.objects.create(
                project=project,
                file=f"support/projects/{hub_key}.pdf",
                title="사업계획서",
                content_type="application/pdf",
                size_bytes=4096,
            ),
        )
        w.add(
            f"duplicateflag_{hub_key}",
            DuplicateFlag.objects.create(
                project=project, kind=DuplicateFlag.Kind.OVER_CAP, organisation=firm, detail="한도"
            ),
        )
        w.add(
            f"outcome_{hub_key}",
            Outcome.objects.create(
                project=project, organisation=firm, patents_filed=1, recorded_at=now
            ),
        )
        survey = w.add(
            f"survey_{hub_key}",
            Survey.objects.create(
                project=project,
                organisation=firm,
                email="kim@example.kr",
                token_hash=f"{hub_key:0<64}"[:64],
                sent_at=now,
                expires_at=now + dt.timedelta(days=30),
                answered_at=now,
            ),
        )
        w.add(
            f"surveyresponse_{hub_key}",
            SurveyResponse.objects.create(
                survey=survey,
                overall=5,
                timeliness=4,
                expertise=5,
                usefulness=4,
                recommend=5,
                answered_at=now,
            ),
        )


PART = Part(app="support", models=MODELS, expected=EXPECTED, build=build, min_rows=3)


def build_support_world() -> World:
    """The base world with the program's hubs and the support cases (no councils)."""
    from sandan.program.tests.scope_world import PART as PROGRAM

    return build_world([PROGRAM, PART])
