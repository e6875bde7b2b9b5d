"""Process-level caches: one owner and one reset.

Everything the package keeps for the life of a process (the registry tables and their
index, the ownership graph, trade imports, year lists, networks built for the report, ...)
is declared here with :func:`cached`, and anything else that holds on to the data (the
warehouse connection) registers a reset with :func:`on_clear`. One call,
:func:`clear_all`, then forgets all of it, so a changed warehouse, ``--data-dir`` or
overlay is seen by every derived answer::

    from cellchain import caches

    @caches.cached
    def tables() -> dict[str, list[dict]]:
        ...

    caches.clear_all()  # after the data changed under a running process

This module imports nothing from the package (every layer may use it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

_CACHED: list = []
_RESETS: list[Callable[[], None]] = []


def cached(fn: F) -> F:
    """``fn`` memoised per process by its arguments (:func:`functools.cache`) and
    registered, so :func:`clear_all` forgets its results."""
    wrapped = functools.cache(fn)
    _CACHED.append(wrapped)
    return wrapped


def on_clear(reset: Callable[[], None]) -> Callable[[], None]:
    """Register ``reset`` (no arguments) to run on :func:`clear_all`, for state that is not
    a memoised function (e.g. an open connection). Returns ``reset`` unchanged."""
    _RESETS.append(reset)
    return reset


def clear_all() -> None:
    """Forget every registered cache and run every registered reset (after the warehouse,
    the data folder or an overlay changed). The next call recomputes from the data."""
    for fn in _CACHED:
        fn.cache_clear()
    for reset in _RESETS:
        reset()


def registered() -> tuple[str, ...]:
    """Qualified names of the registered caches and resets (for tests and debugging)."""
    return tuple(f"{f.__module__}.{f.__qualname__}" for f in (*_CACHED, *_RESETS))
