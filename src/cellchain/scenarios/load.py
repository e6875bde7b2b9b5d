"""Read and validate a scenario file; every error names the file and the key path."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError as PydanticError

from cellchain.errors import InvalidInputError, TooLargeError
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
        entries = data.get(section)
        entries = [] if entries is None else entries  # `shocks:` left empty; not `false`
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
                parsed.append((kind, kinds[kind].model_validate({} if body is None else body)))
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
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError:
        raise InvalidInputError(f"Scenario file {p} not found.", "Check the path.") from None
    _check_size(size, str(p))
    return loads(p.read_bytes(), str(p))


def _check_size(size: int, source: str) -> None:
    if size > MAX_BYTES:
        raise TooLargeError(f"{source}: the file is {size} bytes; scenarios are limited "
                                f"to {MAX_BYTES} bytes.", "Split it into smaller scenarios.")


def loads(raw: bytes, source: str = "<scenario>") -> Scenario:
    """Validate a scenario given as the bytes of a YAML file (e.g. an upload)."""
    import yaml

    _check_size(len(raw), source)
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(parse)"
        raise InvalidInputError(f"{source}: {where}: not valid YAML "
                                f"({getattr(exc, 'problem', None) or exc}).",
                                "Fix the indentation or quoting.") from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"{source}: not a UTF-8 text file.",
                                "Save it as UTF-8.") from None
    return parse(data, source)


def bundled() -> dict[str, Path]:
    """The scenarios shipped with cellchain, by file stem (e.g. ``us_fta_only``)."""
    folder = Path(__file__).resolve().parents[1] / "scenario_data"
    if not any(folder.glob("*.yaml")):  # running from a source checkout
        folder = Path(__file__).resolve().parents[3] / "scenarios"
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def find_bundled(name: str) -> Path:
    """A bundled scenario's path by name; UnknownValueError lists the names."""
    from cellchain.errors import unknown

    available = bundled()
    if name not in available:
        raise unknown("bundled scenario", name, tuple(available))
    return available[name]
