"""How the command line ends: every failure is one line on standard error.

:class:`CellchainGroup` is the Typer group class of the ``cellchain`` app. It runs a
command with Click's standalone mode off and turns what comes out into an exit code:

- a :class:`~cellchain.errors.CellchainError`: ``error: <message> <hint>``, exit 1;
- a usage error (missing option, bad integer, unknown command): one line, exit 2;
- a failed write to standard output (``> /dev/full``): one line, exit 1; a closed pipe
  (``| head``) ends quietly;
- any other exception is a bug: one line naming it, exit 1 (``CELLCHAIN_DEBUG=1``
  re-raises it with its traceback).

The same path runs under Click's ``CliRunner`` (tests) and the installed entry point.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys

import typer
from typer.core import TyperGroup

try:  # Typer 0.2x ships its own copy of Click; older releases use Click itself.
    from typer._click import exceptions as cx
except ImportError:  # pragma: no cover
    from click import exceptions as cx

from cellchain.errors import CellchainError

#: Click's and Typer's "abort" exceptions (Typer 0.2x has its own).
_ABORTS = tuple({getattr(cx, "Abort", None), getattr(typer, "Abort", None)} - {None})
#: errno values of a failed write to standard output (full device, I/O error, quota).
_OUTPUT_ERRNOS = (errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EBADF)


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) folded to one space."""
    return " ".join(str(text).split())


#: Longest error line printed [characters]; a huge bad value is cut, not echoed whole.
MAX_LINE = 2000


def message(exc: CellchainError) -> str:
    """The one line printed for a cellchain error."""
    text = f"error: {exc.message}"
    if exc.hint:
        text += f" {exc.hint}"
    return _cap(one_line(text))


def _cap(text: str) -> str:
    return text if len(text) <= MAX_LINE else text[:MAX_LINE] + f"... ({len(text):,} characters)"


def _stderr(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null so the interpreter's final flush of a broken
    standard output cannot print a second message."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (e.g. a test runner's buffer)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (lives until exit)


def _flush_stdout() -> None:
    from cellchain.cli.write import stdout_error

    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as exc:
        _silence_stdout()
        raise stdout_error(exc) from None


def run_command(command, **kwargs) -> int:
    """Run ``command`` (non-standalone) and return its exit code, printing one line for
    any failure."""
    from cellchain.cli.write import stdout_error

    try:
        try:
            code = command.main(standalone_mode=False, **kwargs)
        finally:
            _flush_stdout()
        return code if isinstance(code, int) else 0
    except CellchainError as exc:
        _stderr(message(exc))
        return 1
    except cx.NoArgsIsHelpError as exc:
        exc.show()
        return exc.exit_code
    except cx.UsageError as exc:
        where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        _stderr(_cap(one_line(f"error: {exc.format_message()}{_given(exc)}{where}")))
        return 2
    except cx.ClickException as exc:
        _stderr(_cap(one_line(f"error: {exc.format_message()}")))
        return exc.exit_code
    except _ABORTS:
        _stderr("error: aborted.")
        return 1
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except OSError as exc:
        if exc.errno in _OUTPUT_ERRNOS and getattr(exc, "filename", None) is None:
            _silence_stdout()
            _stderr(message(stdout_error(exc)))
            return 1
        where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
        _stderr(one_line(f"error: {exc.strerror or exc}{where}."))
        return 1
    except KeyboardInterrupt:
        _stderr("error: interrupted.")
        return 130
    except RecursionError:
        _stderr("error: the input is nested too deeply to process.")
        return 1
    except Exception as exc:  # a bug: still one line, unless debugging
        if os.environ.get("CELLCHAIN_DEBUG") == "1":
            raise
        _stderr(one_line(f"error: internal error {type(exc).__name__}: {exc} "
                         "(set CELLCHAIN_DEBUG=1 for the traceback and please report it)"))
        return 1


def _given(exc: Exception) -> str:
    """`` (got 'abc')`` when the usage error comes from a value that failed to convert."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        try:
            return f" (got {errors()[0]['input']!r})"
        except (LookupError, TypeError, ValueError):
            return ""
    return ""


class CellchainGroup(TyperGroup):
    """The ``cellchain`` group: one line per failure, exit codes 0, 1, 2 (and 130 on
    Ctrl+C)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             windows_expand_args=True, **extra):
        if not standalone_mode:
            return super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                standalone_mode=False, **extra)
        code = run_command(super(), args=args, prog_name=prog_name,
                           complete_var=complete_var, **extra)
        sys.exit(code)
