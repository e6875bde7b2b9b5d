"""One reader for every file a user names (scenario, regions file, overlay CSVs).

- Only regular files: a folder, FIFO, socket or device (``/dev/zero``) is refused before
  a byte is read; the file is opened non-blocking, so a FIFO never hangs.
- A size cap counted on the bytes actually read, not on the size the file system reports
  (``/proc`` files say 0, a file can grow while read).
- Text is UTF-8: a UTF-8 byte-order mark is dropped and CRLF/CR line ends become LF; a
  UTF-16 or Latin-1 file, or a binary one, is refused with the line of the first bad byte.

Every refusal is an :class:`~cellchain.errors.InvalidInputError` (too large:
:class:`~cellchain.errors.TooLargeError`) naming the file, on one line.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
from pathlib import Path

from cellchain.errors import InvalidInputError, TooLargeError

CHUNK = 1 << 16


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def open_regular(path: Path | str, what: str) -> io.FileIO:
    """Open ``path`` for reading if it is a regular file; InvalidInputError otherwise."""
    p = Path(str(path)).expanduser()
    if not str(path).strip():
        raise InvalidInputError(f"The {what} path is empty.", "Give a file path.")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(p, flags)
    except FileNotFoundError:
        raise InvalidInputError(f"{what.capitalize()} {str(p)!r} not found.",
                                "Check the path.") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{what.capitalize()} {str(p)!r} is a folder, not a file.",
                                "Give the path of a file.") from None
    except OSError as exc:
        raise InvalidInputError(f"{what.capitalize()} {str(p)!r} cannot be read "
                                f"({exc.strerror}).", "Check the path and permissions."
                                ) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InvalidInputError(f"{what.capitalize()} {str(p)!r} is {_kind_of(mode)}.",
                                    "Give the path of a regular file.")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return io.FileIO(fd, "rb", closefd=True)


def read_bytes(path: Path | str, what: str, max_bytes: int) -> bytes:
    """The bytes of a regular file, at most ``max_bytes`` (TooLargeError past that)."""
    with open_regular(path, what) as fh:
        data = bytearray()
        while True:
            chunk = fh.read(min(CHUNK, max_bytes + 1 - len(data)))
            if not chunk:
                break
            data += chunk
            if len(data) > max_bytes:
                raise TooLargeError(f"{what.capitalize()} {str(path)!r} is over the limit of "
                                    f"{max_bytes:,} bytes.", "Use a smaller file.")
    return bytes(data)


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def decode(raw: bytes, source: str) -> str:
    """UTF-8 text from ``raw`` (BOM dropped, line ends normalised to LF)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE,
                       codecs.BOM_UTF32_BE)) and not raw.startswith(codecs.BOM_UTF8):
        raise InvalidInputError(f"{source}: the file is UTF-16 or UTF-32, not UTF-8.",
                                "Save it as UTF-8.")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise InvalidInputError(f"{source}, line {_line_of(raw, nul)}: a NUL byte; this is "
                                "a binary file, not text.", "Give a UTF-8 text file.")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start:exc.start + 1]
        raise InvalidInputError(
            f"{source}, line {_line_of(raw, exc.start)}: byte 0x{bad.hex()} is not UTF-8 "
            "(a Latin-1 or other legacy encoding?).", "Save the file as UTF-8.") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path | str, what: str, max_bytes: int) -> str:
    """The UTF-8 text of a regular file of at most ``max_bytes`` (see :func:`decode`)."""
    return decode(read_bytes(path, what, max_bytes), str(path))


class _Capped(io.RawIOBase):
    """A raw reader that raises TooLargeError after ``limit`` bytes."""

    def __init__(self, fh: io.FileIO, limit: int, source: str, what: str):
        self._fh, self._limit, self._source, self._what = fh, limit, source, what
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._fh.readinto(buffer)
        self.count += n or 0
        if self.count > self._limit:
            raise TooLargeError(f"{self._what.capitalize()} {self._source!r} is over the "
                                f"limit of {self._limit:,} bytes.", "Use a smaller file.")
        return n

    def close(self) -> None:
        self._fh.close()
        super().close()


def open_text(path: Path | str, what: str, max_bytes: int,
              newline: str | None = "") -> io.TextIOWrapper:
    """A UTF-8 text stream (BOM dropped) over a regular file, raising TooLargeError once
    more than ``max_bytes`` have been read; for reading large files row by row. Decoding
    errors surface as UnicodeDecodeError while reading."""
    fh = open_regular(path, what)
    head = fh.read(4)
    fh.seek(0)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        fh.close()
        raise InvalidInputError(f"{path}: the file is UTF-16, not UTF-8.", "Save it as UTF-8.")
    raw = _Capped(fh, max_bytes, str(path), what)
    return io.TextIOWrapper(io.BufferedReader(raw, CHUNK), encoding="utf-8-sig",
                            errors="strict", newline=newline)


def process_running(pid: int) -> bool:
    """True if a process with this id runs (another user's counts); False for our own id,
    whose leftovers come from an earlier process that had it."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
