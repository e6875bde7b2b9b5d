"""The one safe writer (cellchain.cli.write): permissions kept, nothing half-written."""

from __future__ import annotations

import os
import stat

import pytest

from cellchain.cli import write
from cellchain.errors import CellchainError, InvalidInputError


def test_existing_file_keeps_its_mode_and_gets_the_new_content(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    write.write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_new_file_gets_the_usual_mode(tmp_path):
    mask = os.umask(0o022)
    try:
        write.write_text(tmp_path / "new.json", "[]\n")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(os.stat(tmp_path / "new.json").st_mode) == 0o644


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")

    def half_then_fail(path):
        path.write_text("half")
        raise CellchainError("renderer failed")

    with pytest.raises(CellchainError, match="renderer failed"):
        write.write_file(target, half_then_fail)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.parametrize("make, needle", [
    (lambda d: (d / "x").mkdir() or d / "x", "is a folder"),
    (lambda d: (os.mkfifo(d / "x"), d / "x")[1], "is a FIFO"),
    (lambda d: ((d / "x").symlink_to(d / "y"), d / "x")[1], "symbolic link"),
])
def test_check_target_refuses_what_is_not_a_regular_file(tmp_path, make, needle):
    with pytest.raises(InvalidInputError, match=needle):
        write.check_target(make(tmp_path))


def test_temporaries_of_killed_writes_are_removed(tmp_path):
    target = tmp_path / "out.csv"
    dead = tmp_path / ".out.csv.999999999.abc123.tmp"  # no process has this id
    dead.write_text("half")
    live = tmp_path / f".out.csv.{os.getppid()}.def456.tmp"  # a running process's write
    live.write_text("half")
    other = tmp_path / ".other.csv.999999999.x.tmp"
    other.write_text("half")
    write.write_text(target, "x\n")
    assert not dead.exists() and live.exists() and other.exists()
    assert target.read_text() == "x\n"
