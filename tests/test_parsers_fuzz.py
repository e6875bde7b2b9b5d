"""Property tests for the readers of user files: whatever the bytes, the answer is a
parsed value or a cellchain error (one line), never another exception or a hang."""

from __future__ import annotations

import codecs

from hypothesis import given, settings
from hypothesis import strategies as st

from cellchain.errors import CellchainError, Problem
from cellchain.io import files, registry
from cellchain.scenarios import load

YAML_BITS = st.sampled_from([
    "name: x\n", "year: 2024\n", "year: .inf\n", "shocks:\n", "  - outage: {fraction: .nan}\n",
    "  - sanction: {entity: rosatom, share: yes}\n", "policy: [", "]", "{", "}", "&a ", "*a ",
    "? ", ": ", "- ", "\t", "'", '"', "\r\n", "\ufeff", "!!python/object:os.system ",
    "year: 2024\nyear: 2025\n", "[" * 40, "]" * 40, "\x00", "\xe9",
])


@settings(max_examples=300)
@given(st.lists(YAML_BITS, max_size=30).map("".join), st.sampled_from(["utf-8", "latin-1"]))
def test_scenario_bytes_give_a_scenario_or_one_error(text, encoding):
    raw = text.encode(encoding, errors="replace")
    try:
        scenario = load.loads(raw, "fuzz.yaml")
    except CellchainError as exc:
        assert "\n" not in exc.message and exc.message.startswith("fuzz.yaml")
    else:
        assert scenario.name.strip()


@settings(max_examples=300)
@given(st.binary(max_size=400))
def test_decode_gives_text_or_one_error(raw):
    try:
        text = files.decode(raw, "f.txt")
    except CellchainError as exc:
        assert "\n" not in exc.message and "f.txt" in exc.message
    else:
        assert "\r" not in text and not text.startswith("\ufeff")
        body = raw[len(codecs.BOM_UTF8):] if raw.startswith(codecs.BOM_UTF8) else raw
        assert text == body.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


CSV_BITS = st.sampled_from([
    "facility,year,capacity,unit,basis,source_url,seen,confidence,notes\n",
    "liotech-novosibirsk,2024,1,GWh/yr,nameplate,https://example.org,2026-12-03,high,\n",
    "x,twenty,inf,GWh,guess,nope,yesterday,sure,\n", '"', ",", "\n", "\r\n", "\x00", "nan",
    "1e308", "true", "\ufeff", "é",
])


@settings(max_examples=200)
@given(st.lists(CSV_BITS, max_size=40).map("".join))
def test_overlay_csv_gives_rows_or_problems(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("overlay") / "capacity.csv"
    path.write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    rows = registry.read_file(path, "capacity", problems)
    assert all(p.file == str(path) for p in problems)
    assert all("\n" not in str(p) for p in problems)
    for row in rows:
        cap = row.values["capacity"]
        assert cap is None or (cap == cap and abs(cap) <= registry.MAX_MAGNITUDE)
