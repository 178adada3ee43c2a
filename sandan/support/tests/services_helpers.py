"""Helpers of the service tests: a firm's problem as it submits it, a PDF, a matched
problem, a project waiting for approval."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from sandan.registry.models import Organisation
from sandan.support import services
from sandan.support.models import Problem, Project
from sandan.support.tests.factories import AssignmentFactory, TriagedProblemFactory, ready_project

DESCRIPTION = (
    "자동차 도어 트림을 사출하는데 여름만 되면 수축 불량이 8%까지 늘어납니다. "
    "금형 온도와 보압을 조정해 봤지만 불량률이 줄지 않습니다."
)
HELP = "불량 원인 분석과 성형 조건 최적화를 도와줄 전문가가 필요합니다."


def submit(company: Any, firm: Organisation, **kwargs: Any) -> Problem:
    fields = {
        "title": "사출품 수축 불량이 여름마다 늘어납니다",
        "description": DESCRIPTION,
        "help_wanted": HELP,
        "urgency": "high",
        **kwargs,
    }
    return services.submit_problem(company, firm, **fields)


def pdf(name: str = "불량사진.pdf", size: int = 2048) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * (size - 9), "application/pdf")


def triaged_with_expert(firm: Organisation, **kwargs: Any) -> Problem:
    problem = TriagedProblemFactory(organisation=firm, text_index=0, **kwargs)
    AssignmentFactory(problem=problem)
    problem.status = Problem.Status.MATCHED
    problem.save()
    return problem


def approvable(coordinator: Any, hub: Any, **kwargs: Any) -> Project:
    project = ready_project(hub=hub, **kwargs)
    return services.submit_project(coordinator, project)
