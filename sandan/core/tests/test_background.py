"""Rebuilds run off-request and are swapped in when ready (sandan.core.background)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from sandan.core import background
from sandan.core.background import Refreshed


@pytest.fixture
def queued(settings: Any, monkeypatch: pytest.MonkeyPatch) -> list[Callable[[], None]]:
    """Background work is queued here instead of started, so a test runs it when it says."""
    settings.SANDAN_REFIT_IN_BACKGROUND = True
    jobs: list[Callable[[], None]] = []
    monkeypatch.setattr(background, "run_in_background", lambda work, name: jobs.append(work))
    return jobs


class Source:
    """What a model is built from: a version that writes move, and a count of builds."""

    def __init__(self) -> None:
        self.version = 1
        self.built: list[int] = []

    def build(self, _arg: Any) -> str:
        self.built.append(self.version)
        return f"model v{self.version}"


def refreshed(source: Source, cold: Callable[[Any], str] | None = None) -> Refreshed[Any, str]:
    return Refreshed("test", fingerprint=lambda _arg: source.version, build=source.build, cold=cold)


def test_a_changed_source_is_rebuilt_off_request_and_swapped_in(queued: list[Any]) -> None:
    source = Source()
    models = refreshed(source)
    assert models.get("k", None) == "model v1"  # first use, nothing to answer with: built
    source.version = 2
    assert models.get("k", None) == "model v1", "the request answers with the current model"
    assert models.get("k", None) == "model v1"
    assert len(queued) == 1, "one rebuild at a time"
    assert source.built == [1]
    queued.pop()()
    assert source.built == [1, 2]
    assert models.get("k", None) == "model v2"
    assert not queued


def test_a_write_during_a_rebuild_is_not_lost(queued: list[Any]) -> None:
    source = Source()
    models = refreshed(source)
    models.get("k", None)
    source.version = 2
    models.refresh("k", None)
    real_build = source.build

    def build_and_write(arg: Any) -> str:
        built = real_build(arg)
        if source.version == 2:
            source.version = 3  # a decision made while the engine was fitted
        return built

    source.build = build_and_write  # type: ignore[method-assign]
    models._build = build_and_write
    queued.pop()()
    assert source.built == [1, 2, 3]
    assert models.get("k", None) == "model v3"


def test_the_first_use_answers_with_the_cold_stand_in(queued: list[Any]) -> None:
    source = Source()
    models = refreshed(source, cold=lambda _arg: "zero-shot")
    assert models.get("k", None) == "zero-shot"
    assert source.built == []
    queued.pop()()
    assert models.get("k", None) == "model v1"


def test_refresh_of_a_current_model_builds_nothing(queued: list[Any]) -> None:
    source = Source()
    models = refreshed(source)
    models.get("k", None)
    models.refresh("k", None)
    queued.pop()()
    assert source.built == [1]
    assert models.builds("k") == 1


def test_a_failed_rebuild_keeps_the_model_and_is_tried_again(queued: list[Any]) -> None:
    source = Source()
    models = refreshed(source)
    models.get("k", None)
    source.version = 2

    def broken(_arg: Any) -> str:
        raise RuntimeError("out of memory")

    models._build = broken
    models.refresh("k", None)
    with pytest.raises(RuntimeError):
        queued.pop()()
    assert models.get("k", None) == "model v1"
    models._build = source.build
    queued.pop()()  # the get above queued the next try
    assert models.get("k", None) == "model v2"


@pytest.mark.django_db(transaction=True)  # the thread starts when the transaction commits
def test_a_real_worker_thread_swaps_while_requests_go_on(settings: Any) -> None:
    settings.SANDAN_REFIT_IN_BACKGROUND = True
    settings.SANDAN_RUN_JOBS_INLINE = False
    source = Source()
    started, release = threading.Event(), threading.Event()

    def slow_build(arg: Any) -> str:
        if source.version > 1:
            started.set()
            assert release.wait(10)
        return Source.build(source, arg)

    models: Refreshed[Any, str] = Refreshed(
        "slow", fingerprint=lambda _arg: source.version, build=slow_build
    )
    models.get("k", None)
    source.version = 2
    assert models.get("k", None) == "model v1"
    assert started.wait(10), "the rebuild runs in a thread of its own"
    assert models.get("k", None) == "model v1", "answered while the rebuild runs"
    release.set()
    for _ in range(200):
        if models.get("k", None) == "model v2":
            break
        threading.Event().wait(0.05)
    assert models.get("k", None) == "model v2"


def test_an_inline_rebuild_answers_with_the_new_value(settings: Any) -> None:
    settings.SANDAN_REFIT_IN_BACKGROUND = False  # as the tests of other apps run
    source = Source()
    models = refreshed(source, cold=lambda _arg: "zero-shot")
    assert models.get("k", None) == "model v1"
    source.version = 2
    assert models.get("k", None) == "model v2"
