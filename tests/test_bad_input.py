"""Bad input everywhere: command-line values, output paths, scenario files, regions files
and registry overlays.

Every case runs the command in-process (Typer's ``CliRunner``, through the same
:class:`cellchain.cli.handling.CellchainGroup` as the installed entry point) in a fresh
folder and asserts: exit code 1 (usage errors 2), exactly one line on stderr that starts
with ``error:`` and names the bad value, no traceback, nothing on stdout, and no file
left behind or changed (the folder and the warehouse cache folder look as before).

The plain command-line cases are the table ``tests/data/bad_cli.csv``; the file cases
are built below, one list per class. ``test_case_counts`` states how many there are.
"""

from __future__ import annotations

import codecs
import csv
import os
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellchain.cli.main import app

DATA = Path(__file__).parent / "data"
REGISTRY = Path(__file__).resolve().parents[1] / "registry"
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
runner = CliRunner()


# --------------------------------------------------------------------------------------
# running one case
# --------------------------------------------------------------------------------------
def snapshot(folder: Path) -> dict[str, tuple]:
    """Every path under ``folder`` (hidden ones too) with its kind, size and mtime."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(root) / name
            st = os.lstat(p)
            out[str(p.relative_to(folder))] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


def run_case(folder: Path, args: list[str], needle: str, code: int) -> None:
    cache = Path(os.environ["CELLCHAIN_CACHE_DIR"])
    before, cache_before = snapshot(folder), snapshot(cache)
    old = Path.cwd()
    os.chdir(folder)
    try:
        res = runner.invoke(app, args, env={"CELLCHAIN_DATA_DIR": None, "COLUMNS": "200"})
    finally:
        os.chdir(old)
    shown = f"cellchain {shlex.join(args)}\nstdout: {res.stdout!r}\nstderr: {res.stderr!r}"
    assert res.exception is None or isinstance(res.exception, SystemExit), shown
    assert "Traceback" not in res.stderr + res.stdout, shown
    assert res.exit_code == code, shown
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), shown
    assert needle in lines[0], shown
    assert res.stdout == "", shown
    assert snapshot(folder) == before, f"files changed or left behind: {shown}"
    assert snapshot(cache) == cache_before, f"cache folder changed: {shown}"


# --------------------------------------------------------------------------------------
# class: cli (the data table)
# --------------------------------------------------------------------------------------
def _cli_cases():
    with open(DATA / "bad_cli.csv", newline="", encoding="utf-8") as fh:
        return [pytest.param(r["args"], r["needle"], int(r["code"]),
                             id=f"{r['class']}:{r['args']}")
                for r in csv.DictReader(fh)]


CLI_CASES = _cli_cases()


@pytest.mark.parametrize("args, needle, code", CLI_CASES)
def test_bad_cli_value(warehouse, tmp_path, args, needle, code):
    run_case(tmp_path, shlex.split(args), needle, code)


# --------------------------------------------------------------------------------------
# class: long (a 100,000-character value: cut in the message, no slow fuzzy matching)
# --------------------------------------------------------------------------------------
LONG = "a" * 100_000
LONG_CASES = [pytest.param(args, needle, id=f"long:{' '.join(args[:-1])}")
              for args, needle in [
    (["production", "-m", LONG], "100,000 characters"),
    (["production", "-m", "lithium", "-f", LONG], "aaaa..."),
    (["shares", "--stage", LONG], "100,000 characters"),
    (["shares", "--status", LONG], "100,000 characters"),
    (["jobs", "--country", LONG], "100,000 characters"),
    (["exposure", LONG], "100,000 characters"),
    (["facility", "show", LONG], "100,000 characters"),
    (["entity", "show", LONG], "100,000 characters"),
    (["trade", "--hs", LONG, "--importer", "USA"], "100,000 characters"),
    (["risk", "geopolrisk", "-m", "lithium", "--country", LONG], "100,000 characters"),
]]


@pytest.mark.parametrize("args, needle", LONG_CASES)
def test_long_value(warehouse, tmp_path, args, needle):
    run_case(tmp_path, args, needle, 1)


# --------------------------------------------------------------------------------------
# class: output (-o/--output paths)
# --------------------------------------------------------------------------------------
OUTPUT_COMMANDS = {
    "production": ["production", "-m", "lithium", "--year", "2023"],
    "trade": ["trade", "--hs", "283691", "--importer", "USA"],
    "shares": ["shares"],
    "jobs": ["jobs"],
    "demand": ["demand"],
    "recipe": ["recipe"],
    "intensities": ["intensities"],
    "sources": ["data", "sources"],
    "facility": ["facility", "show", "liotech-novosibirsk"],
    "entity": ["entity", "show", "rosatom"],
    "concentration": ["risk", "concentration", "-m", "lithium"],
    "report": ["report", "USA"],
}


def _make_output(kind: str, folder: Path, suffix: str) -> tuple[str, str]:
    """Set up a bad output target of ``kind`` in ``folder``: (the -o value, needle)."""
    value, needle = _make_output_csv(kind, folder, suffix)
    return value.replace(".csv", suffix), needle


def _make_output_csv(kind: str, folder: Path, suffix: str) -> tuple[str, str]:
    if kind == "folder":
        (folder / "adir").mkdir()
        return "adir", "is a folder"
    if kind == "missing_folder":
        return "nope/out.csv", "does not exist"
    if kind == "too_long":
        return "x" * 300 + ".csv", "over 255 bytes"
    if kind == "path_too_long":
        return "d/" * 2100 + "out.csv", "over 4096 bytes"
    if kind == "empty":
        return "", "'.'"
    if kind == "device":
        return "/dev/null", "is a device"
    if kind == "full_device":
        return "/dev/full", "is a device"
    if kind == "fifo":
        os.mkfifo(folder / f"pipe{suffix}")
        return "pipe.csv", "is a FIFO"
    if kind == "symlink":
        (folder / f"target{suffix}").write_text("keep me\n")
        (folder / f"link{suffix}").symlink_to(folder / f"target{suffix}")
        return "link.csv", "symbolic link"
    if kind == "dangling_symlink":
        (folder / f"dangling{suffix}").symlink_to(folder / "nowhere.csv")
        return "dangling.csv", "symbolic link"
    if kind == "file_as_folder":
        (folder / "afile.txt").write_text("x\n")
        return "afile.txt/out.csv", "not a folder"
    if kind == "proc":
        return "/proc/cellchain-out.csv", "/proc"
    if kind == "foreign_owner":
        (folder / f"theirs{suffix}").write_text("theirs\n")
        os.chown(folder / f"theirs{suffix}", 65534, 65534)
        return "theirs.csv", "another user"
    if kind == "read_only_folder":
        (folder / "ro").mkdir()
        os.chmod(folder / "ro", 0o555)
        return "ro/out.csv", "read-only"
    raise AssertionError(kind)


SUFFIXES = {"report": ".html", "facility": ".json", "entity": ".json"}
OUTPUT_KINDS = ["folder", "missing_folder", "too_long", "path_too_long", "empty", "device",
                "full_device", "fifo", "symlink", "dangling_symlink", "file_as_folder", "proc"]
# Ownership and permission bits only bind other users: as root, a file of another user
# can be set up (and must be refused); as a user, a read-only folder can.
OUTPUT_KINDS.append("foreign_owner" if ROOT else "read_only_folder")
OUTPUT_CASES = [pytest.param(cmd, kind, id=f"output:{cmd}:{kind}")
                for cmd in OUTPUT_COMMANDS for kind in OUTPUT_KINDS]


@pytest.mark.parametrize("command, kind", OUTPUT_CASES)
def test_bad_output_path(warehouse, tmp_path, command, kind):
    suffix = SUFFIXES.get(command, ".csv")
    value, needle = _make_output(kind, tmp_path, suffix)
    run_case(tmp_path, [*OUTPUT_COMMANDS[command], "-o", value], needle, 1)
    if kind == "symlink":
        assert (tmp_path / f"target{suffix}").read_text() == "keep me\n"


def test_failed_png_export_leaves_no_report(warehouse, tmp_path):
    (tmp_path / "afile.txt").write_text("x\n")
    run_case(tmp_path, ["report", "USA", "-o", "usa.html", "--png", "afile.txt"],
             "afile.txt", 1)
    assert not (tmp_path / "usa.html").exists()


def test_png_export_without_a_browser_leaves_nothing(warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    run_case(tmp_path, ["report", "USA", "-o", "usa.html", "--png", "figs"], "BROWSER_PATH", 1)
    assert not (tmp_path / "usa.html").exists() and not (tmp_path / "figs").exists()


# --------------------------------------------------------------------------------------
# class: scenario (files given by path)
# --------------------------------------------------------------------------------------
BASE = """name: bad-input test
year: 2024
shocks:
  - outage: {country: CHL, stage: refining, fraction: 0.5}
"""
NEW = ("  - new_facility: {id: %s, name: X, stage: cells, products: [cells], country: BOL, "
       "operator: rosatom, capacity: 10, unit: GWh/yr%s}\n")


def _with(**fields) -> str:
    """The base scenario with ``fraction`` (or year) replaced."""
    text = BASE
    if "year" in fields:
        text = text.replace("year: 2024", f"year: {fields['year']}")
    if "fraction" in fields:
        text = text.replace("fraction: 0.5", f"fraction: {fields['fraction']}")
    return text


def _shock(line: str) -> str:
    return BASE + f"  - {line}\n"


SCENARIO_TEXTS = [
    ("year_0", _with(year=0), "year 0"),
    ("year_negative", _with(year=-2024), "year -2024"),
    ("year_99999", _with(year=99999), "year 99999"),
    ("year_1999", _with(year=1999), "year 1999"),
    ("year_text", _with(year="abc"), "'abc'"),
    ("year_float", _with(year=2024.5), "2024.5"),
    ("year_bool", _with(year="true"), "True"),
    ("year_null", _with(year="null"), "None"),
    ("year_2036", _with(year=2036), "year 2036"),
    ("year_2010", _with(year=2010), "year 2010"),
    ("projection_unknown", _with(year=2030) + "demand: {projection: IEA WISHFUL}\n",
     "Unknown demand projection 'IEA WISHFUL'"),
    ("projection_observed_year", BASE + "demand: {projection: IEA STEPS (GEVO2025)}\n",
     "applies to a projected year"),
    ("projection_not_text", _with(year=2030) + "demand: {projection: 7}\n", "7"),
    ("projection_key_typo", _with(year=2030) + "demand: {projecton: x}\n",
     "demand.projection"),
    ("capacity_basis_unknown", _with(year=2030) + "capacity: hoped\n", "'hoped'"),
    ("projection_world_only", _with(year=2030)
     + "demand: {projection: IEA STEPS (GEVO2024)}\n", "world only"),
    ("projection_ends_2030", _with(year=2033), "no year 2033: it ends in 2030"),
    ("fraction_inf", _with(fraction=".inf"), "inf"),
    ("fraction_minus_inf", _with(fraction="-.inf"), "inf"),
    ("fraction_nan", _with(fraction=".nan"), "nan"),
    ("fraction_1e308", _with(fraction="1e308"), "1e308"),
    ("fraction_1.0e+308", _with(fraction="1.0e+308"), "1e+308"),
    ("fraction_bool", _with(fraction="true"), "True"),
    ("fraction_yes", _with(fraction="yes"), "True"),
    ("fraction_string", _with(fraction="'0.5'"), "'0.5'"),
    ("fraction_negative", _with(fraction=-0.5), "-0.5"),
    ("fraction_two", _with(fraction=2), "2"),
    ("factor_1e308", _shock("capacity_change: {country: USA, stage: cells, factor: 1.0e+308}"),
     "1e+308"),
    ("factor_inf", _shock("capacity_change: {country: USA, stage: cells, factor: .inf}"),
     "inf"),
    ("factor_negative", _shock("demand_change: {market: USA, factor: -1}"), "-1"),
    ("factor_bool", _shock("demand_change: {market: USA, factor: false}"), "False"),
    ("share_over_one", _shock("sanction: {entity: rosatom, share: 1.5}"), "1.5"),
    ("status_typo", BASE + NEW % ("new-x", ", status: operatng"), "operatng"),
    ("unit_unknown", (BASE + NEW % ("new-x", "")).replace("GWh/yr", "GWh/day"), "'GWh/day'"),
    ("capacity_inf", (BASE + NEW % ("new-x", "")).replace("capacity: 10", "capacity: .inf"),
     "inf"),
    ("capacity_bool", (BASE + NEW % ("new-x", "")).replace("capacity: 10", "capacity: on"),
     "True"),
    ("capacity_1e308", (BASE + NEW % ("new-x", "")).replace("capacity: 10",
                                                             "capacity: 1.0e+308"), "1e+308"),
    ("jobs_fraction", BASE + NEW % ("new-x", ", jobs: 1.5"), "1.5"),
    ("jobs_negative", BASE + NEW % ("new-x", ", jobs: -3"), "-3"),
    ("id_reuse", BASE + NEW % ("liotech-novosibirsk", ""), "liotech-novosibirsk"),
    ("id_reuse_entity", BASE + NEW % ("rosatom", ""), "rosatom"),
    ("id_twice", BASE + NEW % ("new-x", "") + NEW % ("new-x", ""), "new-x"),
    ("stage_unknown", (BASE + NEW % ("new-x", "")).replace("stage: cells", "stage: mine"),
     "mine"),
    ("product_unknown", (BASE + NEW % ("new-x", "")).replace("[cells]", "[widgets]"),
     "widgets"),
    ("country_unknown", (BASE + NEW % ("new-x", "")).replace("BOL", "XYZ"), "XYZ"),
    ("operator_unknown", (BASE + NEW % ("new-x", "")).replace("rosatom", "nobody-inc"),
     "nobody-inc"),
    ("sanction_unknown", _shock("sanction: {entity: nobody-inc}"), "nobody-inc"),
    ("ban_country", _shock("export_ban: {from: XYZ}"), "XYZ"),
    ("ban_stage", _shock("export_ban: {from: CHN, stages: [mine]}"), "mine"),
    ("market_unknown", _shock("demand_change: {market: ATL, factor: 1.1}"), "ATL"),
    ("bloc_unknown", BASE + "policy:\n  - bloc_only: {market: USA, bloc: nato-ish}\n",
     "nato-ish"),
    ("kind_unknown", _shock("earthquake: {country: CHL}"), "earthquake"),
    ("key_unknown_top", BASE + "shocks_typo: []\n", "shocks_typo"),
    ("key_unknown_shock", _shock("outage: {facility: liotech-novosibirsk, fractoin: 1}"),
     "fractoin"),
    ("shocks_not_list", "name: x\nshocks: 5\n", "shocks"),
    ("entry_two_kinds", _shock("{outage: {country: CHL}, sanction: {entity: rosatom}}"),
     "shocks[1]"),
    ("entry_not_mapping", _shock("outage"), "shocks[1]"),
    ("top_is_list", "- name: x\n", "top level"),
    ("top_is_text", "just some words\n", "top level"),
    ("empty_file", "", "top level"),
    ("name_missing", "year: 2024\n", "name"),
    ("name_empty", "name: '   '\n", "name"),
    ("name_number", "name: 123\n", "123"),
    ("duplicate_key_top", BASE + "year: 2023\n", "duplicate key 'year'"),
    ("duplicate_key_nested", _shock("outage: {country: CHL, country: PER, stage: mining}"),
     "duplicate key 'country'"),
    ("deep_flow_50000", "name: deep\nx: " + "[" * 50_000 + "]" * 50_000 + "\n", "nested"),
    ("deep_mapping", "name: deep\n" + "".join("  " * i + f"k{i}:\n" for i in range(60)),
     "nested"),
    ("alias_bomb", "name: bomb\na: &a [x, x, x, x, x, x, x, x, x]\n"
     + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
               for p, c in zip("abcdefghijklmnop", "bcdefghijklmnopq", strict=True)),
     "aliases"),
    ("python_tag", "name: !!python/object/apply:os.system ['echo hi']\n", "line 1"),
    ("tab_indent", "name: x\nshocks:\n\t- outage: {}\n", "line 3"),
    ("unclosed_bracket", "name: x\nshocks: [\n", "line"),
    ("unclosed_quote", "name: 'x\n", "line"),
    ("complex_key", "name: x\n? [a, b]\n: 1\n", "list or mapping"),
]


def _scenario_file(kind: str, folder: Path) -> tuple[str, str]:
    """A bad scenario path of a file kind: (path, needle)."""
    p = folder / "s.yaml"
    if kind == "folder":
        p.mkdir()
        return "s.yaml", "is a folder"
    if kind == "fifo":
        os.mkfifo(p)
        return "s.yaml", "is a FIFO"
    if kind == "dev_zero":
        return "/dev/zero", "is a device"
    if kind == "link_to_dev_zero":
        p.symlink_to("/dev/zero")
        return "s.yaml", "is a device"
    if kind == "binary":
        p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
        return "s.yaml", "NUL byte"
    if kind == "latin1":
        p.write_bytes("name: Caf\u00e9 m\u00fcller\nyear: 2024\n".encode("latin-1"))
        return "s.yaml", "not UTF-8"
    if kind == "utf16":
        p.write_bytes(codecs.BOM_UTF16_LE + BASE.encode("utf-16-le"))
        return "s.yaml", "UTF-16"
    if kind == "too_large":
        p.write_text(BASE + "description: '" + "x" * 300_000 + "'\n")
        return "s.yaml", "over the limit"
    if kind == "missing":
        return "absent.yaml", "absent.yaml"
    if kind == "proc_file":
        return "/proc/self/status", "/proc/self/status"
    raise AssertionError(kind)


SCENARIO_FILE_KINDS = ["folder", "fifo", "dev_zero", "link_to_dev_zero", "binary", "latin1",
                       "utf16", "too_large", "missing", "proc_file"]
SCENARIO_CASES = (
    [pytest.param(cmd, name, text, needle, id=f"scenario:{cmd}:{name}")
     for cmd in ("validate", "run") for name, text, needle in SCENARIO_TEXTS]
    + [pytest.param(cmd, kind, None, None, id=f"scenario:{cmd}:{kind}")
       for cmd in ("validate", "run") for kind in SCENARIO_FILE_KINDS])


@pytest.mark.parametrize("command, name, text, needle", SCENARIO_CASES)
def test_bad_scenario(warehouse, tmp_path, command, name, text, needle):
    if text is None:
        path, needle = _scenario_file(name, tmp_path)
    else:
        (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
        path = "s.yaml"
    run_case(tmp_path, ["scenario", command, path], needle, 1)


@pytest.mark.parametrize("text, expected", [
    (_with(fraction=".inf"), "s.yaml, line 4: shocks[0].outage.fraction: Input should be a "
     "finite number (got inf)."),
    (_with(year=1999), "s.yaml, line 2: year: The flow model has no year 1999"),
    (_shock("earthquake: {country: CHL}"), "s.yaml, line 5: shocks[1].earthquake: unknown "
     "shock kind."),
    (BASE + "policy:\n  - bloc_only: {market: USA}\n", "s.yaml, line 6: policy[0].bloc_only."
     "bloc: required key is missing."),
])
def test_scenario_errors_name_the_line_and_the_key_path(warehouse, tmp_path, text, expected):
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    run_case(tmp_path, ["scenario", "validate", "s.yaml"], f"error: {expected}", 1)


def test_scenario_with_bom_and_crlf_is_fine(warehouse, tmp_path):
    """A UTF-8 byte-order mark and Windows line ends are not errors."""
    (tmp_path / "s.yaml").write_bytes(codecs.BOM_UTF8 + BASE.replace("\n", "\r\n").encode())
    res = runner.invoke(app, ["scenario", "validate", str(tmp_path / "s.yaml")])
    assert res.exit_code == 0, res.stderr
    assert res.stdout.startswith("ok: ") and "bad-input test" in res.stdout


# --------------------------------------------------------------------------------------
# class: regions (risk geopolrisk --regions-file)
# --------------------------------------------------------------------------------------
REGION_TEXTS = [
    ("no_colon", "Andean BOL, CHL\n", "line 1"),
    ("no_members", "Andean:\n", "line 1"),
    ("no_name", ": BOL, CHL\n", "line 1"),
    ("unknown_country", "Andean: BOL, XYZ\n", "XYZ"),
    ("twice", "A: BOL\nA: CHL\n", "'A'"),
    ("latin1", None, "not UTF-8"),
    ("utf16", None, "UTF-16"),
    ("binary", None, "NUL byte"),
    ("too_large", None, "over the limit"),
    ("folder", None, "is a folder"),
    ("fifo", None, "is a FIFO"),
    ("dev_zero", None, "is a device"),
]


def _regions_file(name: str, text: str | None, folder: Path) -> str:
    p = folder / "regions.txt"
    if text is not None:
        p.write_text(text, encoding="utf-8")
    elif name == "latin1":
        p.write_bytes("R\u00e9gion: BOL\n".encode("latin-1"))
    elif name == "utf16":
        p.write_bytes(codecs.BOM_UTF16_LE + "A: BOL\n".encode("utf-16-le"))
    elif name == "binary":
        p.write_bytes(b"A: BOL\x00\x01\x02")
    elif name == "too_large":
        p.write_text("# " + "x" * (2 << 20) + "\nA: BOL\n")
    elif name == "folder":
        p.mkdir()
    elif name == "fifo":
        os.mkfifo(p)
    elif name == "dev_zero":
        return "/dev/zero"
    return "regions.txt"


@pytest.mark.parametrize("name, text, needle",
                         [pytest.param(*c, id=f"regions:{c[0]}") for c in REGION_TEXTS])
def test_bad_regions_file(warehouse, tmp_path, name, text, needle):
    path = _regions_file(name, text, tmp_path)
    run_case(tmp_path, ["risk", "geopolrisk", "-m", "lithium", "--year", "2022",
                        "--regions-file", path], needle, 1)


# --------------------------------------------------------------------------------------
# class: overlay (--data-dir folders of registry CSVs)
# --------------------------------------------------------------------------------------
FAC = REGISTRY.joinpath("facilities.csv").read_text(encoding="utf-8").splitlines()[0]
CAP = "facility,year,capacity,unit,basis,source_url,seen,confidence,notes"
STA = "facility,status,date,source_url,seen,confidence,notes"
OWN = "owner,owned,share,valid_from,valid_to,source_url,seen,confidence,notes"
ENT = "id,name,country,kind,source_url,seen,confidence,notes"
SRC = "https://example.org/a,2026-12-03,high,"


def _fac(**over) -> str:
    row = {"id": "acme-cells", "name": "Acme", "stage": "cells", "products": "cells",
           "chemistry": "LFP", "country": "USA", "region": "", "city": "", "lat": "40",
           "lon": "-80", "operator": "rosatom", "jobs": "10", "jobs_year": "2024",
           "capex_musd": "", "end_uses": "storage", "source_url": "https://example.org/a",
           "seen": "2026-12-03", "confidence": "high", "notes": ""}
    row.update(over)
    return ",".join(row[c] for c in FAC.split(","))


OVERLAY_ROWS = [
    ("fac_stage", "facilities", FAC, _fac(stage="mine"), "mine"),
    ("fac_country", "facilities", FAC, _fac(country="XYZ"), "XYZ"),
    ("fac_lat", "facilities", FAC, _fac(lat="200"), "200"),
    ("fac_lat_nan", "facilities", FAC, _fac(lat="nan"), "'nan'"),
    ("fac_lat_bool", "facilities", FAC, _fac(lat="true"), "'true'"),
    ("fac_jobs_negative", "facilities", FAC, _fac(jobs="-5"), "negative jobs"),
    ("fac_jobs_fraction", "facilities", FAC, _fac(jobs="1.5"), "'1.5'"),
    ("fac_jobs_1e308", "facilities", FAC, _fac(jobs="1e308"), "'1e308'"),
    ("fac_id_case", "facilities", FAC, _fac(id="Acme_Cells"), "Acme_Cells"),
    ("fac_id_reused", "facilities", FAC, _fac() + "\n" + _fac(), "acme-cells"),
    ("fac_id_is_entity", "facilities", FAC, _fac(id="rosatom"), "rosatom"),
    ("fac_product", "facilities", FAC, _fac(products="widgets"), "widgets"),
    ("fac_chemistry", "facilities", FAC, _fac(chemistry="LFPX"), "LFPX"),
    ("fac_end_use", "facilities", FAC, _fac(end_uses="toys"), "toys"),
    ("fac_operator", "facilities", FAC, _fac(operator="nobody-inc"), "nobody-inc"),
    ("fac_url", "facilities", FAC, _fac(source_url="example.org"), "example.org"),
    ("fac_confidence", "facilities", FAC, _fac(confidence="certain"), "certain"),
    ("fac_name_empty", "facilities", FAC, _fac(name=""), "name"),
    ("cap_inf", "capacity", CAP, f"liotech-novosibirsk,2024,inf,GWh/yr,nameplate,{SRC}",
     "'inf'"),
    ("cap_1e308", "capacity", CAP, f"liotech-novosibirsk,2024,1e308,GWh/yr,nameplate,{SRC}",
     "'1e308'"),
    ("cap_negative", "capacity", CAP, f"liotech-novosibirsk,2024,-1,GWh/yr,nameplate,{SRC}",
     "-1"),
    ("cap_bool", "capacity", CAP, f"liotech-novosibirsk,2024,yes,GWh/yr,nameplate,{SRC}",
     "'yes'"),
    ("cap_unit", "capacity", CAP, f"liotech-novosibirsk,2024,1,GWh,nameplate,{SRC}", "'GWh'"),
    ("cap_basis", "capacity", CAP, f"liotech-novosibirsk,2024,1,GWh/yr,guess,{SRC}",
     "guess"),
    ("cap_year_text", "capacity", CAP, f"liotech-novosibirsk,twenty,1,GWh/yr,nameplate,{SRC}",
     "twenty"),
    ("cap_facility", "capacity", CAP, f"no-such-plant,2024,1,GWh/yr,nameplate,{SRC}",
     "no-such-plant"),
    ("status_typo", "status", STA, f"liotech-novosibirsk,operatng,2024,{SRC}", "operatng"),
    ("status_date", "status", STA, f"liotech-novosibirsk,operating,2024-13-01,{SRC}",
     "2024-13-01"),
    ("own_share", "ownership", OWN, f"rosatom,tvel,1.5,,,{SRC}", "1.5"),
    ("own_owner", "ownership", OWN, f"nobody-inc,tvel,0.1,,,{SRC}", "nobody-inc"),
    ("own_self", "ownership", OWN, f"rosatom,rosatom,0.1,,,{SRC}", "itself"),
    ("ent_kind", "entities", ENT, f"acme,Acme,USA,giant,{SRC}", "giant"),
    ("ent_country", "entities", ENT, f"acme,Acme,ZZZ,company,{SRC}", "ZZZ"),
    ("missing_column", "entities", "id,name,kind,source_url,seen,confidence,notes",
     "acme,Acme,company,https://example.org/a,2026-12-03,high,", "country"),
    ("unknown_column", "entities", ENT + ",colour", f"acme,Acme,USA,company,{SRC},red",
     "colour"),
    ("repeated_column", "entities", ENT + ",notes", f"acme,Acme,USA,company,{SRC},",
     "repeated"),
    ("extra_cells", "entities", ENT, f"acme,Acme,USA,company,{SRC},x,y", "more cells"),
    ("bad_quote", "entities", ENT, 'acme,"Acme,USA,company', "line"),
]


def _overlay_file(name: str, folder: Path) -> str:
    """Overlays whose problem is the file itself; returns the needle."""
    p = folder / "facilities.csv"
    if name == "file_is_folder":
        p.mkdir()
        return "is a folder"
    if name == "file_is_fifo":
        os.mkfifo(p)
        return "is a FIFO"
    if name == "file_is_dev_zero":
        p.symlink_to("/dev/zero")
        return "is a device"
    if name == "binary":
        p.write_bytes(FAC.encode() + b"\n\x00\x01\x02\x03")
        return "facilities.csv"
    if name == "latin1":
        p.write_bytes((FAC + "\n" + _fac(name="Caf\u00e9")).encode("latin-1") + b"\n")
        return "not UTF-8"
    if name == "utf16":
        p.write_bytes(codecs.BOM_UTF16_LE + (FAC + "\n").encode("utf-16-le"))
        return "UTF-16"
    if name == "empty":
        p.write_text("")
        return "required column is missing"
    if name == "long_line":
        p.write_text(FAC + "\n" + "x" * (2 << 20) + "\n")
        return "longer than"
    if name == "unknown_table":
        (folder / "entities.csv").write_text(ENT + "\n")
        (folder / "widgets.csv").write_text("a,b\n1,2\n")
        return "widgets.csv"
    raise AssertionError(name)


OVERLAY_FILE_KINDS = ["file_is_folder", "file_is_fifo", "file_is_dev_zero", "binary",
                      "latin1", "utf16", "empty", "long_line", "unknown_table"]
OVERLAY_CASES = ([pytest.param(n, t, h, line, needle, id=f"overlay:{n}")
                  for n, t, h, line, needle in OVERLAY_ROWS]
                 + [pytest.param(n, None, None, None, None, id=f"overlay:{n}")
                    for n in OVERLAY_FILE_KINDS])


@pytest.mark.parametrize("name, table, header, line, needle", OVERLAY_CASES)
def test_bad_overlay(warehouse, tmp_path, name, table, header, line, needle):
    folder = tmp_path / "overlay"
    folder.mkdir()
    if table is None:
        needle = _overlay_file(name, folder)
    else:
        (folder / f"{table}.csv").write_text(f"{header}\n{line}\n", encoding="utf-8")
    run_case(tmp_path, ["--data-dir", "overlay", "data", "build"], needle, 1)


# --------------------------------------------------------------------------------------
# the counts
# --------------------------------------------------------------------------------------
def counts() -> dict[str, int]:
    """Bad inputs by class."""
    out: dict[str, int] = {}
    for case in CLI_CASES:
        cls = case.id.split(":", 1)[0]
        out[f"cli-{cls}"] = out.get(f"cli-{cls}", 0) + 1
    out["long"] = len(LONG_CASES)
    out["output"] = len(OUTPUT_CASES) + 2
    out["scenario"] = len(SCENARIO_CASES)
    out["regions"] = len(REGION_TEXTS)
    out["overlay"] = len(OVERLAY_CASES)
    return out


def test_case_counts():
    c = counts()
    assert sum(c.values()) >= 300, c
    assert min(c.values()) >= 10, c


def test_full_copy_overlay_doubles_nothing(tmp_path):
    from cellchain.io import registry

    shutil.copytree(REGISTRY, tmp_path / "copy")
    base = registry.load(use_env=False)
    merged = registry.load(tmp_path / "copy")
    assert merged.problems == []
    assert {t: len(r) for t, r in merged.tables.items()} == {
        t: len(r) for t, r in base.tables.items()}
