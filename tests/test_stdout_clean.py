"""stdout carries only the data asked for, whatever solver or library version is installed.

Every documented command (README and docs) that can print a table is run through the
installed entry point with ``--format json`` and ``--format csv``, and stdout is parsed.
"""

from __future__ import annotations

import io
import json
import re
import shlex
import shutil

import pandas as pd
import pytest
from conftest import REPO

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# Commands that write files, serve, or print no table.
NOT_TABULAR = ("serve", "report", "data path", "data build", "data validate",
               "scenario validate")


def documented_commands() -> list[str]:
    """Each distinct ``cellchain …`` command in the docs, without output/format options."""
    found: dict[str, None] = {}
    for doc in DOCS:
        for lang, body in re.findall(r"```(\w*)\n(.*?)```", doc.read_text("utf-8"), re.S):
            if lang not in ("", "console", "bash", "sh"):
                continue
            for line in body.splitlines():
                part = line.split("&&")[-1].split("#")[0].strip()
                if not part.startswith("cellchain "):
                    continue
                words = shlex.split(part)[1:]
                sub = " ".join(words[:2])
                if any(sub.startswith(n) for n in NOT_TABULAR):
                    continue
                kept, skip = [], False
                for w in words:
                    if skip:
                        skip = False
                        continue
                    if w in ("--format", "-f", "--output", "-o"):
                        skip = True
                        continue
                    kept.append(w)
                found[shlex.join(kept)] = None
    return list(found)


COMMANDS = documented_commands()
# One record, not a table: JSON only (CSV is refused with a one-line error).
RECORDS = ("facility show", "entity show")
CASES = [(c, f) for c in COMMANDS for f in ("json", "csv")
         if not (f == "csv" and any(r in c for r in RECORDS))]


def test_docs_have_commands():
    assert len(COMMANDS) >= 15


@pytest.fixture(scope="session")
def documented_runs(warehouse, tmp_path_factory):
    """Every case run once through the entry point, a few processes at a time (each in
    its own folder with the bundled scenarios): {(command, fmt): CompletedProcess}."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from conftest import run_cli

    def run(case):
        command, fmt = case
        folder = tmp_path_factory.mktemp("documented")
        shutil.copytree(REPO / "scenarios", folder / "scenarios")
        shutil.copytree(REPO / "docs" / "examples", folder / "docs" / "examples")
        return case, run_cli(*shlex.split(command), "--format", fmt, cwd=folder)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return dict(pool.map(run, CASES))


@pytest.mark.parametrize(("command", "fmt"), CASES)
def test_documented_command_prints_parseable_stdout(documented_runs, command, fmt):
    res = documented_runs[(command, fmt)]
    assert res.returncode == 0, f"cellchain {command} --format {fmt}: {res.stderr}"
    if fmt == "json":
        json.loads(res.stdout)
    else:
        pd.read_csv(io.StringIO(res.stdout))


def test_only_one_place_creates_solver_objects():
    """highspy prints a banner on the first construction: only optimize/highs.py may
    construct a solver (it swallows that banner)."""
    offenders = [str(p.relative_to(REPO)) for p in (REPO / "src").rglob("*.py")
                 if "Highs()" in p.read_text("utf-8") and p.name != "highs.py"]
    assert offenders == []


def test_first_solver_in_a_process_prints_nothing(tmp_path):
    import subprocess
    import sys

    code = ("from cellchain.optimize.highs import new_highs\n"
            "h = new_highs(); h2 = new_highs(threads=1)\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
