"""Read and validate a scenario file; every error names the file and the key path."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError as PydanticError

from cellchain.errors import InvalidInputError
from cellchain.scenarios.schema import POLICIES, SHOCKS, Scenario

MAX_BYTES = 256 * 1024


def _path(loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _fail(source: str, path: str, message: str, hint: str = "See docs/scenarios.md."):
    raise InvalidInputError(f"{source}: {path}: {message}", hint)


def parse(data, source: str = "<scenario>") -> Scenario:
    """Validate a scenario given as parsed YAML (dicts and lists)."""
    if not isinstance(data, dict):
        _fail(source, "(top level)", "expected a mapping with name, year, shocks, policy")
    allowed = {"name", "description", "year", "shocks", "policy"}
    for key in data:
        if key not in allowed:
            _fail(source, str(key), "unknown key", f"allowed keys: {', '.join(sorted(allowed))}")
    items = {}
    for section, kinds in (("shocks", SHOCKS), ("policy", POLICIES)):
        parsed = []
        entries = data.get(section) or []
        if not isinstance(entries, list):
            _fail(source, section, "expected a list")
        for i, entry in enumerate(entries):
            where = f"{section}[{i}]"
            if not isinstance(entry, dict) or len(entry) != 1:
                _fail(source, where, "each entry is a mapping with exactly one kind",
                      f"kinds: {', '.join(kinds)}")
            (kind, body), = entry.items()
            if kind not in kinds:
                label = "shock" if section == "shocks" else "policy"
                _fail(source, f"{where}.{kind}", f"unknown {label} kind",
                      f"use one of: {', '.join(kinds)}")
            try:
                parsed.append((kind, kinds[kind].model_validate(body or {})))
            except PydanticError as exc:
                err = exc.errors()[0]
                _fail(source, f"{where}.{kind}" + ("." + _path(err["loc"]) if err["loc"] else ""),
                      err["msg"].replace("Field required", "required key is missing")
                      .replace("Extra inputs are not permitted", "unknown key"))
        items[section] = parsed
    try:
        return Scenario.model_validate({"name": data.get("name"),
                                        "description": data.get("description"),
                                        "year": data.get("year", 2024), **items})
    except PydanticError as exc:
        err = exc.errors()[0]
        _fail(source, _path(err["loc"]), err["msg"].replace("Field required",
                                                           "required key is missing"))


def load(path) -> Scenario:
    """Read a YAML scenario file and validate it (size-limited; YAML safe loader)."""
    import yaml

    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError:
        raise InvalidInputError(f"Scenario file {p} not found.", "Check the path.") from None
    if size > MAX_BYTES:
        raise InvalidInputError(f"{p}: the file is {size} bytes; scenarios are limited to "
                                f"{MAX_BYTES} bytes.", "Split it into smaller scenarios.")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(parse)"
        raise InvalidInputError(f"{p}: {where}: not valid YAML "
                                f"({getattr(exc, 'problem', None) or exc}).",
                                "Fix the indentation or quoting.") from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"{p}: not a UTF-8 text file.", "Save it as UTF-8.") from None
    return parse(data, str(p))
