"""Writes of the finance app: the budget tree (`tree`) and the ledger (`ledger`)."""

from sandan.finance.services.ledger import (
    Overspend,
    allocate,
    clean_amount,
    commit,
    commit_grant,
    disburse,
    reallocate,
    return_funds,
    settle,
    settle_project,
)
from sandan.finance.services.tree import open_line, open_tree

__all__ = [
    "Overspend",
    "allocate",
    "clean_amount",
    "commit",
    "commit_grant",
    "disburse",
    "open_line",
    "open_tree",
    "reallocate",
    "return_funds",
    "settle",
    "settle_project",
]
