"""What `restrict()` needs to know about a user, without knowing where users come from.

The core sits below every other app, so it cannot import `sandan.accounts`. Instead it says
what it reads: a user carries its resolved grants (`scope_grants()`, provided by
`sandan.accounts.models.User`), and each grant answers how far it reaches for a model label
and an action (`sandan.accounts.roles.POLICY` decides that).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Protocol


class Reach(StrEnum):
    ALL = "all"  # every row
    SCOPE = "scope"  # rows inside the membership's scope
    OWN = "own"  # rows that belong to the user (model.owner_path)


NATIONAL = "national"  # the scope kind that covers every row


class Grant(Protocol):
    """One membership, resolved: a role, a scope kind and the ids that scope covers."""

    @property
    def role(self) -> str: ...

    @property
    def scope_kind(self) -> str: ...

    @property
    def scope_ids(self) -> frozenset[int]: ...

    def reach(self, label: str, action: str) -> Reach | None: ...


def is_signed_in(user: Any) -> bool:
    """An authenticated, active user (anonymous visitors and deactivated users reach nothing)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def grants_of(user: Any) -> Sequence[Grant]:
    """The grants `user` carries (none for an anonymous visitor)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ()
    grants: Sequence[Grant] = user.scope_grants()
    return grants
