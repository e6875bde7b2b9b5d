"""Safe output: every file the command line writes, and standard output.

One writer for every ``--output``/``-o``, report and PNG path:

- the target must be a new path or an existing *regular* file owned by the user; a
  directory, device, FIFO, socket or symbolic link is refused (never replaced, never
  followed), and so is an empty or over-long name;
- the data goes to a temporary file beside the target (same folder, so the rename is
  atomic) which is renamed onto the target only when the whole write succeeded; a failed
  write leaves the folder as it was;
- an existing file keeps its permission bits (its owner is the user's, checked above); a
  new file gets the usual ``0o666 & ~umask``.

Standard output errors (``> /dev/full``) become one :class:`~cellchain.errors.OutputError`
line, exit 1.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

from cellchain.errors import InvalidInputError, OutputError
from cellchain.io.files import process_running

#: Longest file name most file systems accept [bytes].
NAME_MAX = 255
#: Longest path the kernel accepts [bytes].
PATH_MAX = 4096


def _refuse(path, what: str, hint: str = "Give a new file name or an existing regular file."):
    raise InvalidInputError(f"Output path {str(path)!r} {what}.", hint)


def check_target(path: Path | str) -> Path:
    """The output path, checked: a new path in an existing writable folder, or an existing
    regular file of the user's. Raises :class:`InvalidInputError` otherwise."""
    text = str(path)
    if not text.strip():
        _refuse(text, "is empty")
    if "\x00" in text:
        _refuse(text, "contains a NUL character")
    target = Path(text).expanduser()
    if target.name in ("", ".", ".."):
        _refuse(text, "names a folder, not a file")
    if len(os.fsencode(target.name)) > NAME_MAX:
        _refuse(text[:60] + "...", f"has a file name over {NAME_MAX} bytes",
                "Choose a shorter file name.")
    if len(os.fsencode(str(target.absolute()))) > PATH_MAX:
        _refuse(text[:60] + "...", f"is over {PATH_MAX} bytes", "Choose a shorter path.")
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        _refuse(text, f"is inside {str(target.parent)!r}, which is not a folder",
                "Choose another --output path.")
    except OSError as exc:
        _refuse(text, f"cannot be checked ({exc.strerror})", "Choose another --output path.")
    if st is not None:
        mode = st.st_mode
        if stat.S_ISLNK(mode):
            _refuse(text, "is a symbolic link (not followed)",
                    "Write to the link's target path directly, or choose a new name.")
        if stat.S_ISDIR(mode):
            _refuse(text, "is a folder", "Give a file name inside it, e.g. "
                    f"{os.path.join(text, 'out.csv')}.")
        if not stat.S_ISREG(mode):
            kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                    else "a device")
            _refuse(text, f"is {kind}, not a regular file")
        if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
            _refuse(text, "belongs to another user (replacing it would change its owner)",
                    "Choose a file of your own or a new name.")
    parent = target.parent
    try:
        pst = os.stat(parent)
    except FileNotFoundError:
        raise InvalidInputError(f"Folder {str(parent)!r} does not exist.",
                                "Create it first or choose another --output path.") from None
    except OSError as exc:
        _refuse(text, f"is in a folder that cannot be used ({exc.strerror})",
                "Choose another --output path.")
    if not stat.S_ISDIR(pst.st_mode):
        _refuse(text, f"is inside {str(parent)!r}, which is not a folder",
                "Choose another --output path.")
    if not os.access(parent, os.W_OK | os.X_OK):
        _refuse(text, f"is in a read-only folder {str(parent)!r}",
                "Choose a folder you can write to.")
    _probe(target, text)
    return target


def _probe(target: Path, text: str) -> None:
    """Create and remove a temporary file beside ``target``, so a folder that cannot be
    written (a read-only mount, /proc, even for root) fails before any work is done."""
    import tempfile

    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name[:64]}.{os.getpid()}.",
                                    suffix=".tmp", dir=target.parent)
    except OSError as exc:
        _refuse(text, f"is in a folder that cannot be written ({exc.strerror})",
                "Choose a folder you can write to.")
    os.close(fd)
    os.unlink(name)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_file(path: Path | str, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it onto
    ``path``. Nothing is left behind when ``write`` fails. Returns the target path."""
    import tempfile

    target = check_target(path)
    try:
        existing = os.lstat(target)
    except FileNotFoundError:
        existing = None
    keep = stat.S_IMODE(existing.st_mode) if existing else 0o666 & ~_umask()
    prefix = f".{target.name[:64]}.{os.getpid()}."
    clean_stale(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"Cannot write {str(path)!r}: {exc.strerror}.",
                          "Choose another --output path.") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, keep)
        os.replace(tmp, target)
    except OSError as exc:
        raise OutputError(f"Cannot write {str(path)!r}: {exc.strerror or exc}.",
                          "Free some space or choose another --output path.") from None
    finally:
        tmp.unlink(missing_ok=True)
    return target


def clean_stale(target: Path) -> list[Path]:
    """Remove temporary files beside ``target`` left by writes that were killed (their
    process no longer runs); returns what was removed."""
    removed = []
    stem = target.name[:64]
    for tmp in target.parent.glob(f".{glob_escape(stem)}.*.tmp"):
        pid = tmp.name[len(stem) + 2:].split(".", 1)[0]
        if not pid.isdigit() or process_running(int(pid)):
            continue
        try:
            tmp.unlink()
            removed.append(tmp)
        except OSError:
            pass
    return removed


def glob_escape(text: str) -> str:
    """``text`` with glob wildcards escaped."""
    import glob

    return glob.escape(text)


def write_text(path: Path | str, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through :func:`write_file`."""
    return write_file(path, lambda p: p.write_text(text, encoding="utf-8"))


def stdout_text(text: str) -> None:
    """Write ``text`` to standard output and flush it (errors become one line)."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise stdout_error(exc) from None


def stdout_error(exc: OSError) -> OutputError:
    """The one-line error for a failed write to standard output."""
    reason = exc.strerror or os.strerror(exc.errno or errno.EIO)
    return OutputError(f"Cannot write to standard output: {reason}.",
                       "Redirect the output to a file or device with free space.")
