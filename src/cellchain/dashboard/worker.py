"""A model worker process: ``python -m cellchain.dashboard.worker JOBS_FD RESULTS_FD``.

Started by :class:`cellchain.dashboard.runner.ModelPool`. Reads jobs from one pipe and
writes results to another, each a length-prefixed pickle frame (the pipes are private to
the server and this process, so only the server's own values cross them). Its stdout is
not used for the protocol, so nothing a library prints can corrupt a frame.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import sys

from cellchain.errors import CellchainError

log = logging.getLogger(__name__)

HEADER = 8  # bytes of the big-endian frame length


def write_frame(fd: int, value) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(data).to_bytes(HEADER, "big") + data)
    while view:
        view = view[os.write(fd, view):]


def read_frame(fd: int):
    """The next frame's value; EOFError when the other side closed the pipe."""
    size = int.from_bytes(_read_exact(fd, HEADER), "big")
    return pickle.loads(_read_exact(fd, size))


def _read_exact(fd: int, n: int) -> bytes:
    parts, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


# -- the jobs --

def _parse(raw: bytes, kind: str, source: str):
    from cellchain.errors import InvalidInputError

    try:
        return _parse_unguarded(raw, kind, source)
    except RecursionError:
        raise InvalidInputError(f"{source}: nested too deeply to read.",
                                "Scenarios are a few levels deep; check the brackets and "
                                "indentation.") from None


def _parse_unguarded(raw: bytes, kind: str, source: str):
    from cellchain.scenarios import load

    if kind != "json":
        return load.loads(raw, source)
    import json

    from cellchain.errors import InvalidInputError

    def refuse(token):
        raise InvalidInputError(f"{source}: {token} is not a number JSON allows.",
                                "Use finite numbers.")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=refuse)
    except UnicodeDecodeError:
        raise InvalidInputError(f"{source}: not UTF-8 text.", "Send UTF-8 JSON.") from None
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{source}: line {exc.lineno} column {exc.colno}: not valid "
                                f"JSON ({exc.msg}).", "Check brackets, commas and "
                                "quotes.") from None
    return load.parse(data, source)


def job_upload(raw: bytes, kind: str, source: str, market: str | None) -> dict:
    """Validate and run an uploaded scenario (``kind``: yaml or json)."""
    from cellchain.report import content

    return content.scenario_result(_parse(raw, kind, source), source, market)


def job_bundled(name: str, market: str | None) -> dict:
    """Run a bundled scenario by name."""
    from cellchain.report import content
    from cellchain.scenarios import load

    return content.scenario_result(load.load(load.find_bundled(name)), name, market)


def job_risk(market: str, year: int, draws: int, seed: int, mode: str) -> dict:
    """A market's Monte Carlo shortfall risk (see :func:`cellchain.report.content.risk`)."""
    from cellchain.report import content

    return content.risk(market, year, draws=draws, seed=seed, mode=mode)


JOBS = {"upload": job_upload, "bundled": job_bundled, "risk": job_risk}


def execute(name: str, args: tuple) -> tuple:
    """Run one job: ``("ok", result)``, ``("error", status, message, hint)`` for a user
    error, ``("bug", text)`` for anything else."""
    from cellchain.dashboard.responses import finite, status_of

    try:
        return ("ok", finite(JOBS[name](*args)))
    except CellchainError as exc:
        return ("error", status_of(exc), finite(exc.message), finite(exc.hint or ""))
    except RecursionError:
        return ("error", 400, "The scenario is nested too deeply to read.",
                "Scenarios are a few levels deep; check the indentation.")
    except MemoryError:
        return ("error", 413, "The scenario needs more memory than a run may use.",
                "Send a smaller scenario.")
    except Exception as exc:  # a bug: report it on stderr (the server's log), keep going
        log.exception("model run %s failed", name)
        return ("bug", f"{type(exc).__name__}: {exc}")


def main(argv: list[str] | None = None) -> int:
    jobs, results, warm_year = (int(a) for a in (argv or sys.argv[1:]))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the server, which stops us
    with contextlib.suppress(Exception):  # the first job reports the same problem properly
        from cellchain.report import content

        content._network(warm_year)  # open the warehouse, build the flow model
    while True:
        try:
            name, args = read_frame(jobs)
        except (EOFError, OSError):
            return 0
        write_frame(results, execute(name, args))


if __name__ == "__main__":
    sys.exit(main())
