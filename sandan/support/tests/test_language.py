"""Issue 12: evidence a person trusts, the margin, semantic neighbours, the learned ranker."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from sandan.support import semantic
from sandan.support.matching import FEATURES, Case, ExpertProfile, Matcher, Ranker
from sandan.support.matching_fit import fit_ranker
from sandan.support.triage import Triage, default_categories

DATA = Path(__file__).resolve().parents[3] / "data" / "support"
HARD = {
    "cases": DATA / "matching_hard_dev_cases.csv",
    "experts": DATA / "matching_hard_experts.csv",
    "relevance": DATA / "matching_hard_dev_relevance.csv",
}


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage(default_categories())


def _is_whole_word(word: str, text: str) -> bool:
    """``word`` starts a word of ``text`` (after a space or at the start) and is not cut off
    inside a longer noun: it ends the word or a particle/ending follows."""
    return any(m.start() == 0 or text[m.start() - 1].isspace() for m in re.finditer(word, text))


@pytest.mark.parametrize(
    ("text", "banned"),
    [
        ("4대보험 처리를 어떻게 해야 할지 모르겠어요", {"4", "모르", "모르다"}),
        (
            "도금 후 표면이 부풀어 올라서 자동차 부품 업체에서 반품이 계속 들어옵니다",
            {"올", "자동"},
        ),
        ("불량률 3% 줄이는 방법을 직원들에게 가르칠 강사가 필요합니다", {"3", "률"}),
    ],
)
def test_evidence_are_whole_meaningful_words_of_the_text(
    triage: Triage, text: str, banned: set[str]
) -> None:
    evidence = triage.suggest(text).evidence
    assert evidence, "a clear statement should show why"
    for word in evidence:
        assert word not in banned
        assert word in text
        assert _is_whole_word(word, text), word
        assert sum(c.isalpha() for c in word) >= 2, word
        assert not word.isdigit()


def test_evidence_of_a_fragment_names_the_whole_word(triage: Triage) -> None:
    # 자동 (automation) is in the lexicon; inside 자동차 it is not evidence of automation.
    suggestion = triage.suggest("자동차 부품 도장 라인의 불량을 줄이고 싶습니다")
    assert "자동" not in suggestion.evidence


def test_margin_is_the_lead_over_the_runner_up(triage: Triage) -> None:
    clear = triage.suggest("해외 전시회 참가와 바이어 발굴을 지원받고 싶습니다")
    vague = triage.suggest("도움이 필요합니다")
    for suggestion in (clear, vague):
        first, second = suggestion.ranking[0][1], suggestion.ranking[1][1]
        assert suggestion.margin == pytest.approx(first - second, abs=2e-4)
        assert 0 <= suggestion.margin <= suggestion.confidence
    assert clear.margin > vague.margin


def test_semantic_neighbours_come_from_the_shipped_table() -> None:
    assert "kiwipiepy_model" in semantic.source()
    pairs = semantic.neighbours("수출")
    assert pairs and all(0 < cosine <= 1 for _, cosine in pairs)
    assert [c for _, c in pairs] == sorted((c for _, c in pairs), reverse=True)
    assert semantic.neighbours("없는단어가틀림없음") == ()


def _experts() -> list[ExpertProfile]:
    return [
        ExpertProfile("a", "가", "알루미늄 양극산화 피막 관리", ("MFG_EFFICIENCY",), ("C25",)),
        ExpertProfile("b", "나", "세무 회계 자문", ("TECH_MGMT_SUPPORT",)),
        ExpertProfile("c", "다", "전시회 참가 지원", ("TOTAL_MARKETING",)),
        ExpertProfile("d", "라", "피막 두께 측정과 양극산화 얼룩", ("MFG_EFFICIENCY",), ("C26",)),
    ]


def test_ranker_fits_on_graded_pairs_and_scores_with_its_weights() -> None:
    matcher = Matcher(_experts())
    graded = [
        (Case("양극산화 피막 얼룩", "MFG_EFFICIENCY", "C25"), {"a": 2, "d": 1}),
        (Case("세무 자문이 필요해요", "TECH_MGMT_SUPPORT"), {"b": 1}),
        (Case("전시회에 나가고 싶어요", "TOTAL_MARKETING"), {"c": 1}),
    ]
    ranker = fit_ranker(matcher, graded)
    assert len(ranker.coef) == len(FEATURES)
    assert ranker.trained_on == 4
    features = matcher.features(graded[0][0])
    assert features.shape == (4, len(FEATURES))
    assert np.allclose(ranker.score(features), features @ np.array(ranker.coef))
    ranked = Matcher(_experts(), ranker=ranker).rank(Case("피막 얼룩", "MFG_EFFICIENCY"), k=2)
    assert {m.expert_id for m in ranked} == {"a", "d"}


def test_ranker_needs_a_relevant_pair() -> None:
    with pytest.raises(ValueError, match="relevant"):
        fit_ranker(Matcher(_experts()), [(Case("아무거나"), {"a": 0})])


def test_ranker_weights_are_plain_data() -> None:
    ranker = Ranker(coef=(1.0, 0, 0, 0, 0, 0))
    assert list(ranker.score(np.eye(6))) == [1.0, 0, 0, 0, 0, 0]


def test_evaluate_matching_train_fits_on_one_file_and_scores_another() -> None:
    out = io.StringIO()
    call_command(
        "evaluate_matching",
        cases=str(DATA / "matching_hard_test_cases.csv"),
        experts=str(HARD["experts"]),
        relevance=str(DATA / "matching_hard_test_relevance.csv"),
        train=str(HARD["relevance"]),
        train_cases=str(HARD["cases"]),
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert result["ranker"] == {"trained_on": result["ranker"]["trained_on"], "overlap": 0}
    assert result["ranker"]["trained_on"] > 0
    assert 0 <= result["recall_at_5"] <= 1 and 0 <= result["ndcg_at_10"] <= 1


def test_evaluate_matching_train_reports_overlap_with_the_scored_cases() -> None:
    out = io.StringIO()
    call_command("evaluate_matching", *_args(HARD), train=str(HARD["relevance"]), stdout=out)
    assert json.loads(out.getvalue())["ranker"]["overlap"] == 14


def test_evaluate_matching_train_options_need_train() -> None:
    with pytest.raises(CommandError, match="need --train"):
        call_command("evaluate_matching", *_args(HARD), train_cases=str(HARD["cases"]))


def _args(files: dict[str, Path]) -> list[str]:
    return [f"--{name}={path}" for name, path in files.items()]
