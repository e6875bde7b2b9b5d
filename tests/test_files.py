"""The one reader of user-named files (cellchain.io.files)."""

from __future__ import annotations

import codecs
import os

import pytest

from cellchain.errors import InvalidInputError, TooLargeError
from cellchain.io import files


def test_size_is_counted_on_bytes_read_not_on_stat():
    # /proc files report a size of 0 and still have content.
    assert os.stat("/proc/self/maps").st_size == 0
    data = files.read_bytes("/proc/self/maps", "file", 1 << 20)
    assert len(data) > 0
    with pytest.raises(TooLargeError, match="over the limit of 10 bytes"):
        files.read_bytes("/proc/self/maps", "file", 10)


def test_cap_is_exact(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"x" * 100)
    assert files.read_bytes(p, "file", 100) == b"x" * 100
    with pytest.raises(TooLargeError):
        files.read_bytes(p, "file", 99)


def test_bom_and_line_ends_are_normalised():
    raw = codecs.BOM_UTF8 + b"a: 1\r\nb: 2\rc: 3\n"
    assert files.decode(raw, "f") == "a: 1\nb: 2\nc: 3\n"


@pytest.mark.parametrize("raw, needle", [
    (codecs.BOM_UTF16_LE + "a".encode("utf-16-le"), "UTF-16"),
    ("name: caf\u00e9\n".encode("latin-1"), "line 1: byte 0xe9 is not UTF-8"),
    (b"a\nb\n\x00", "line 3: a NUL byte"),
])
def test_other_encodings_are_refused_with_the_line(raw, needle):
    with pytest.raises(InvalidInputError, match=needle):
        files.decode(raw, "f")


def test_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "p")  # no writer: a blocking open would hang here
    with pytest.raises(InvalidInputError, match="is a FIFO"):
        files.read_bytes(tmp_path / "p", "file", 10)
