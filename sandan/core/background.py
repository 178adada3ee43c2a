"""Work that must not hold up a request.

A request never rebuilds a model (the triage engine, the expert matcher) nor recomputes a
whole-year figure: it uses the one there is, and the rebuild runs in a worker thread and is
swapped in when ready (as a search engine swaps in a new index). Two pieces:

- :func:`run_in_background` runs a function in a daemon thread once the current transaction
  has committed (so the thread reads what the request wrote), closing the thread's database
  connections at the end; inline when ``SANDAN_RUN_JOBS_INLINE`` is set.
- :class:`Refreshed` keeps one value per key (a program year, "all experts") with the cheap
  fingerprint of what it was built from. ``get`` compares the fingerprint (a query or two),
  and when it has moved starts a rebuild in the background and answers with the value it
  has; ``refresh`` starts one after a write. One rebuild per key runs at a time; it checks the
  fingerprint again when it ends, so writes made during a rebuild are not lost.

The thread is the project's job runner (the planner runs the same way): the demo needs no
broker. ``SANDAN_REFIT_IN_BACKGROUND = False`` makes rebuilds inline, which tests use to read
fresh models right after a write (the background path has its own tests).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connections, transaction

__all__ = ["Refreshed", "run_in_background"]

logger = logging.getLogger(__name__)

A = TypeVar("A")
V = TypeVar("V")


def _in_thread(work: Callable[[], None], name: str) -> None:
    def target() -> None:
        try:
            work()
        except Exception:  # a failed rebuild keeps the old value; the next write retries
            logger.exception("background job %s failed", name)
        finally:
            # This thread's own connections: with persistent connections (CONN_MAX_AGE)
            # close_old_connections() would keep them open after the thread ends.
            connections.close_all()

    threading.Thread(target=target, name=name, daemon=True).start()


def run_in_background(work: Callable[[], None], *, name: str) -> None:
    """Run ``work`` in a worker thread after the current transaction commits (at once when
    there is none); inline when ``SANDAN_RUN_JOBS_INLINE`` is set."""
    if getattr(settings, "SANDAN_RUN_JOBS_INLINE", False):
        work()
        return
    transaction.on_commit(lambda: _in_thread(work, name))


@dataclass
class _Slot(Generic[V]):
    value: V | None = None
    fingerprint: Any = None
    building: bool = False
    builds: int = 0


class Refreshed(Generic[A, V]):
    """A value per key, rebuilt off-request when what it is built from changes.

    ``fingerprint(arg)`` is cheap (it runs in every ``get``) and changes whenever the value
    would; ``build(arg)`` is the expensive part; ``cold(arg)``, when given, answers the very
    first ``get`` of a process while the first build runs (for the triage engine: the
    zero-shot engine of the year's categories). Without ``cold`` the first ``get`` waits for
    the first build, made in that request.
    """

    def __init__(
        self,
        name: str,
        *,
        fingerprint: Callable[[A], Any],
        build: Callable[[A], V],
        cold: Callable[[A], V] | None = None,
    ) -> None:
        self.name = name
        self._fingerprint = fingerprint
        self._build = build
        self._cold = cold
        self._slots: dict[Hashable, _Slot[V]] = {}
        self._lock = threading.Lock()

    def _slot(self, key: Hashable) -> _Slot[V]:
        with self._lock:
            return self._slots.setdefault(key, _Slot())

    def get(self, key: Hashable, arg: A) -> V:
        """The current value for ``key``; starts a rebuild when it is out of date."""
        slot = self._slot(key)
        value = slot.value
        if value is not None:
            if slot.fingerprint != self._fingerprint(arg):
                self._start(key, arg)
                # The new value when the rebuild ran inline, the current one otherwise.
                return slot.value if slot.value is not None else value
            return value
        if self._cold is not None:
            self._start(key, arg)
            if slot.value is not None:  # rebuilt inline
                return slot.value
            return self._cold(arg)
        # Nothing to answer with (the first use in this process) and no cheap stand-in:
        # build it here, once.
        fingerprint = self._fingerprint(arg)
        built = self._build(arg)
        with self._lock:
            if slot.value is None:
                slot.value, slot.fingerprint = built, fingerprint
                slot.builds += 1
        return built

    def refresh(self, key: Hashable, arg: A) -> None:
        """After a write: rebuild in the background (nothing happens when it is current)."""
        self._start(key, arg)

    def forget(self, key: Hashable) -> None:
        """Drop the value (a new process has none); the next ``get`` builds it again."""
        with self._lock:
            self._slots.pop(key, None)

    def forget_all(self) -> None:
        with self._lock:
            self._slots.clear()

    def builds(self, key: Hashable) -> int:
        """How many times the value of ``key`` was built in this process (for tests)."""
        with self._lock:
            slot = self._slots.get(key)
        return slot.builds if slot is not None else 0

    def _start(self, key: Hashable, arg: A) -> None:
        slot = self._slot(key)
        with self._lock:
            if slot.building:
                return  # the running rebuild checks the fingerprint again when it ends
            slot.building = True

        def rebuild() -> None:
            try:
                while True:
                    fingerprint = self._fingerprint(arg)
                    if slot.value is not None and slot.fingerprint == fingerprint:
                        return
                    value = self._build(arg)
                    with self._lock:  # the swap: readers see the old or the new, whole
                        slot.value, slot.fingerprint = value, fingerprint
                        slot.builds += 1
            finally:
                with self._lock:
                    slot.building = False

        if not getattr(settings, "SANDAN_REFIT_IN_BACKGROUND", True):
            rebuild()
            return
        try:
            run_in_background(rebuild, name=f"refit-{self.name}-{key}")
        except BaseException:
            with self._lock:
                slot.building = False
            raise
