"""The one place that creates HiGHS solver objects.

highspy 1.16 prints a two-line banner to the process's stdout (file descriptor 1, from C++)
the first time a ``Highs`` object is constructed, before any option can switch output off.
stdout belongs to the user's data, so the first construction in a process runs with
descriptor 1 pointed at the null device; every object is then silenced with
``output_flag = False`` before it is handed out. Use :func:`new_highs`, never
``highspy.Highs()`` directly (a test checks the source tree for that).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

_lock = threading.Lock()
_banner_swallowed = False


def _swallow_banner(highspy) -> None:
    """Construct one throwaway solver with fd 1 on the null device (once per process)."""
    global _banner_swallowed
    with _lock:
        if _banner_swallowed:
            return
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            highspy.Highs().setOptionValue("output_flag", False)
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _banner_swallowed = True


def new_highs(threads: int | None = None):
    """A silent ``highspy.Highs`` object (output off; ``threads`` if given)."""
    import highspy

    _swallow_banner(highspy)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    return h
