"""Model runs off the event loop: a bounded pool of worker processes with a time limit.

A scenario run (parsing the upload, two flow-model solves, tracing every market) is CPU
work in Python; run on the server's event loop or in its threads it would stall or slow
every other request. Each worker is a separate process holding its own warm flow model
and its own read-only warehouse connection, so:

- the event loop only waits on a pipe, and GETs keep answering while models run;
- at most ``workers`` runs execute at once and at most ``max_pending`` are admitted
  (running or waiting); more get :class:`PoolBusyError` (503 with ``Retry-After``);
- a run that passes ``time_limit`` is stopped for real: its worker process is killed and
  replaced, and the client gets :class:`TimeLimitError` (504).

Workers are ``python -m cellchain.dashboard.worker`` processes (not forks or spawns of
the server, so a program that builds the app never has its own main module re-run). Jobs
and results cross private pipes as plain values (bytes, str, dicts); a user error in a
worker comes back as ``(status, message, hint)`` and is raised again here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from cellchain.errors import CellchainError


class PoolBusyError(CellchainError):
    """Every model worker is busy and the waiting line is full."""

    http_status = 503
    headers = {"Retry-After": "5"}


class TimeLimitError(CellchainError):
    """A model run took longer than the time limit and was stopped."""

    http_status = 504


class ModelFailedError(CellchainError):
    """A worker process died during a run (a bug; the worker is replaced)."""

    http_status = 500


class RunError(CellchainError):
    """A user error raised inside a worker, carried back with its HTTP status."""

    def __init__(self, status: int, message: str, hint: str):
        super().__init__(message, hint or None)
        self.http_status = status


#: What to do after a run was stopped at the time limit, by job.
TIME_LIMIT_HINTS = {
    "scenario": "Run it from the command line (cellchain scenario run FILE), which has no "
                "time limit, or send fewer shocks.",
    "risk": "Ask for fewer draws, or run it from the command line (cellchain risk "
            "montecarlo), which has no time limit.",
}


class _Worker:
    """One worker process (:mod:`cellchain.dashboard.worker`) and its two pipes."""

    def __init__(self, warm_year: int):
        jobs_r, self.jobs = os.pipe()
        self.results, results_w = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cellchain.dashboard.worker", str(jobs_r),
                 str(results_w), str(warm_year)],
                pass_fds=(jobs_r, results_w), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, close_fds=True)
        finally:
            os.close(jobs_r)
            os.close(results_w)
        self.expired = False

    def call(self, name: str, args: tuple, time_limit: float):
        """Send a job and wait for its result; TimeoutError after ``time_limit`` [s] (the
        process is killed then), EOFError if it died."""
        from cellchain.dashboard.worker import read_frame, write_frame

        timer = threading.Timer(time_limit, self._expire)
        timer.daemon = True
        try:
            write_frame(self.jobs, (name, args))
            timer.start()
            return read_frame(self.results)
        except (EOFError, OSError):
            if self.expired:
                raise TimeoutError from None
            raise
        finally:
            timer.cancel()

    def _expire(self) -> None:
        # Killing the process closes its end of the results pipe: the waiting read ends.
        self.expired = True
        if self.alive():
            self.process.kill()

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        for fd in (self.jobs, self.results):
            with contextlib.suppress(OSError):
                os.close(fd)


class ModelPool:
    """A bounded pool of model worker processes (see the module docstring).

    Parameters
    ----------
    workers : int
        Worker processes (runs executing at once).
    time_limit : float
        Longest a run may take once a worker has it [s].
    max_pending : int
        Runs admitted at once, running plus waiting for a worker.
    warm_year : int
        Year whose flow model each worker builds before its first job.
    """

    def __init__(self, workers: int, time_limit: float, max_pending: int, warm_year: int):
        self.workers = workers
        self.time_limit = time_limit
        self.max_pending = max(max_pending, workers)
        self.warm_year = warm_year
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._threads: ThreadPoolExecutor | None = None
        self._pending = 0
        self._closed = False

    def start(self) -> None:
        """Start the worker processes (idempotent; the first run also starts them)."""
        with self._lock:
            if self._threads is not None or self._closed:
                return
            self._threads = ThreadPoolExecutor(self.max_pending,
                                               thread_name_prefix="cellchain-model-wait")
            for _ in range(self.workers):
                self._add_worker()

    def _add_worker(self) -> None:
        worker = _Worker(self.warm_year)
        self._all.append(worker)
        self._idle.put(worker)

    @property
    def processes(self) -> list[int]:
        """Process ids of the live workers."""
        return [w.process.pid for w in self._all if w.alive()]

    async def run(self, name: str, *args):
        """Run job ``name`` in a worker; its result, or the CellchainError it raised."""
        if self._pending >= self.max_pending:
            raise PoolBusyError(f"{self.max_pending} model runs are already in progress.",
                                "Retry in a few seconds.")
        self.start()
        self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            outcome = await loop.run_in_executor(self._threads, self._call, name, args)
        finally:
            self._pending -= 1
        if outcome[0] == "ok":
            return outcome[1]
        if outcome[0] == "error":
            raise RunError(*outcome[1:])
        raise ModelFailedError("The model run failed inside the server.",
                               "This is a bug; the server log has the details.")

    def _call(self, name: str, args: tuple):
        worker = None
        while worker is None:
            try:
                worker = self._idle.get(timeout=0.5)
            except queue.Empty:
                if self._closed:
                    raise PoolBusyError("The server is shutting down.",
                                        "Retry when it is back.") from None
        try:
            return worker.call(name, args, self.time_limit)
        except TimeoutError:
            self._replace(worker)
            worker = None
            raise TimeLimitError(f"The model run took longer than {self.time_limit:g} s and "
                                 "was stopped.", TIME_LIMIT_HINTS.get(
                                     name, TIME_LIMIT_HINTS["scenario"])) from None
        except (EOFError, OSError):
            self._replace(worker)
            worker = None
            return ("bug", "the worker process ended")
        finally:
            if worker is not None:
                self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
            if not self._closed:
                self._add_worker()

    def close(self) -> None:
        """Stop every worker process."""
        with self._lock:
            self._closed = True
            workers, self._all = self._all, []
        for worker in workers:
            worker.stop()
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)
