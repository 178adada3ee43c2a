"""Learning the matcher's :class:`~sandan.support.matching.Ranker` from graded decisions.

Kept apart from the matcher, which only scores: fitting happens offline (``sandan
evaluate_matching --train``, tests), never inside a request. See docs/adr/0011-expert-matching.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from sandan.support.matching import Case, Matcher, Ranker

__all__ = ["fit_ranker"]


def fit_ranker(
    matcher: Matcher, graded: Iterable[tuple[Case, Mapping[str, int]]], c: float = 1.0
) -> Ranker:
    """Fit a :class:`Ranker` on ``graded`` (case, {expert id: grade}) over ``matcher``'s experts.

    Pointwise logistic regression: every expert of a case is a row, relevant (grade ≥ 1) ones
    positive, grade 2 counted twice; unlisted experts are grade 0. Fitting happens here, never
    inside a request: callers keep the ranker and pass it to ``Matcher(experts, ranker)``."""
    from sklearn.linear_model import LogisticRegression

    position = {expert.id: i for i, expert in enumerate(matcher.experts)}
    rows: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    positives = 0
    for case, grades in graded:
        grade = np.zeros(len(matcher.experts))
        for expert_id, value in grades.items():
            if expert_id in position:
                grade[position[expert_id]] = value
        if not (grade >= 1).any():
            continue
        positives += int((grade >= 1).sum())
        rows.append(matcher.features(case))
        labels.append((grade >= 1).astype(int))
        weights.append(np.where(grade >= 2, 2.0, 1.0))
    if not rows:
        raise ValueError("no case with a relevant expert (grade >= 1) to learn from")
    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    model.fit(np.vstack(rows), np.concatenate(labels), sample_weight=np.concatenate(weights))
    return Ranker(coef=tuple(float(x) for x in model.coef_[0]), trained_on=positives)
