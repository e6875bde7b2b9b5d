"""Every example in the README runs, as written."""

import re
import shlex

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", README, flags=re.S)


def _cellchain_commands():
    cmds = []
    for lang, body in BLOCKS:
        if lang:
            continue
        for line in body.splitlines():
            # the Quickstart chains pip install && cellchain ...; run the cellchain part
            part = line.split("&&")[-1].strip()
            if part.startswith("cellchain "):
                cmds.append(part)
    return cmds


def test_readme_has_exactly_two_quickstart_commands():
    quick = README.split("## Quickstart")[1].split("\n## ")[0]
    lines = [ln for lang, body in re.findall(r"```(\w*)\n(.*?)```", quick, flags=re.S)
             for ln in body.strip().splitlines()]
    assert lines == ["pip install . && cellchain exposure USA --year 2024",
                     'pip install ".[test]" && pytest']


def test_every_cellchain_command_in_readme_runs(cli, warehouse, tmp_path):
    import shutil

    shutil.copytree(REPO / "scenarios", tmp_path / "scenarios")  # as from a checkout
    shutil.copytree(REPO / "docs" / "examples", tmp_path / "docs" / "examples")
    cmds = _cellchain_commands()
    assert len(cmds) >= 8
    for cmd in cmds:
        res = cli(*shlex.split(cmd)[1:], cwd=tmp_path)
        assert res.returncode == 0, f"{cmd}: {res.stderr}"
        assert res.stdout.strip() or len(list(tmp_path.iterdir())) > 1, cmd


def test_python_examples_in_readme_run(warehouse, capsys):
    blocks = [body for lang, body in BLOCKS if lang == "python"]
    assert blocks
    for body in blocks:
        exec(compile(body, "README.md", "exec"), {})
    assert "AUS" in capsys.readouterr().out
