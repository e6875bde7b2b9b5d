"""A progress line on standard error for commands that take more than a second.

Never on standard output (that belongs to the data asked for). Shown only when standard
error is a terminal, or when ``CELLCHAIN_PROGRESS=1`` forces it; ``CELLCHAIN_PROGRESS=0``
turns it off. ``CELLCHAIN_PROGRESS_DELAY`` [s] changes the one-second wait. The line is
erased before the command prints its result (:func:`stop`), so it never mixes with it.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager

FRAMES = "|/-\\"
DELAY = 1.0
INTERVAL = 0.2

_current: Spinner | None = None


class Spinner:
    """A thread that, after ``delay`` seconds, redraws "label ... N s" on ``stream``."""

    def __init__(self, label: str, stream=None, delay: float = DELAY):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.drawn = 0  # width of what is on the line now
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cellchain-progress",
                                        daemon=True)
        self._lock = threading.Lock()

    def start(self) -> Spinner:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        frame = 0
        while not self._stop.is_set():
            text = (f"{FRAMES[frame % len(FRAMES)]} {self.label} "
                    f"{time.monotonic() - self._started:.0f} s")
            with self._lock:
                if self._stop.is_set():
                    break
                self._write("\r" + text.ljust(self.drawn))
                self.drawn = len(text)
            frame += 1
            self._stop.wait(INTERVAL)

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # closed or broken stderr: no progress, no error
            self._stop.set()

    def stop(self) -> None:
        """Stop and erase the line (idempotent)."""
        self._stop.set()
        with self._lock:
            if self.drawn:
                self._write("\r" + " " * self.drawn + "\r")
                self.drawn = 0
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=1)


def enabled(stream=None) -> bool:
    """Whether to show progress: ``CELLCHAIN_PROGRESS`` if set, else stderr is a tty."""
    forced = os.environ.get("CELLCHAIN_PROGRESS")
    if forced in ("0", "1"):
        return forced == "1"
    stream = stream if stream is not None else sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def shown(label: str):
    """Show a progress line for the block if it runs longer than the delay."""
    global _current
    if not enabled():
        yield
        return
    try:
        delay = float(os.environ.get("CELLCHAIN_PROGRESS_DELAY", DELAY))
    except ValueError:
        delay = DELAY
    _current = Spinner(label, delay=delay).start()
    try:
        yield
    finally:
        stop()


def stop() -> None:
    """Erase the progress line, if any, before printing results."""
    global _current
    if _current is not None:
        _current.stop()
        _current = None
