"""Plain option conversion (no pydantic import) reads values exactly as Typer does."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from cellchain.cli import fastparse
from cellchain.cli.main import app

INT = TypeAdapter(int)
BOOL = TypeAdapter(bool)


def typer_int(text: str):
    try:
        return INT.validate_python(text)
    except ValidationError:
        return "error"


def plain_int(text: str):
    try:
        return fastparse.to_int(text)
    except typer.BadParameter:
        return "error"


@given(st.text(alphabet="0123456789+-._ eE\t٣x", max_size=12))
def test_integers_are_read_as_typer_reads_them(text):
    assert plain_int(text) == typer_int(text)


@pytest.mark.parametrize("text", ["2023", " 2023 ", "2023.0", "2_023", "-0", "+5", "1e3",
                                  "2023.", ".0", "1.5", "", "0x10", "1 000", "٣"])
def test_known_integer_spellings(text):
    assert plain_int(text) == typer_int(text)


@pytest.mark.parametrize("text", ["yes", "Y", "on", "off", "TRUE", "0", "1", "f", "2",
                                  "maybe", " no "])
def test_flags_are_read_as_typer_reads_them(text):
    try:
        expected = BOOL.validate_python(text.strip())
    except ValidationError:
        expected = "error"
    try:
        got = fastparse.to_bool(text)
    except typer.BadParameter:
        got = "error"
    assert got == expected


def test_every_simple_option_is_lightened():
    command = typer.main.get_command(app)
    changed = fastparse.lighten(command)
    assert changed >= 80  # every str/int/bool/Path option of every command, --help too
    port = command.commands["serve"].params[1]
    assert port.name == "port" and not isinstance(port._runtime_param,
                                                   fastparse.PlainParam)  # has a range


def test_everyday_command_imports_neither_pydantic_nor_pandas(warehouse):
    code = ("import sys; sys.argv = ['cellchain', 'production', '--material', 'lithium', "
            "'--year', '2023', '-f', 'json']\n"
            "from cellchain.cli.main import run\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\n"
            "print([m for m in ('pydantic', 'pandas', 'numpy', 'pyarrow', 'plotly') "
            "if m in sys.modules], file=sys.stderr)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.stderr.strip().splitlines()[-1] == "[]", res.stderr
    assert '"country": "AUS"' in res.stdout


def test_bad_values_are_usage_errors(cli, warehouse):
    res = cli("production", "-m", "lithium", "--year", "20x3")
    assert res.returncode == 2 and "valid integer" in res.stderr and res.stdout == ""
    res = cli("production", "-m", "lithium", "--year", "2023.0", "-f", "json")
    assert res.returncode == 0 and '"year": 2023' in res.stdout
