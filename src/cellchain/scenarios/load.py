"""Read and validate a scenario file; every error names the file and the key path."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError as PydanticError

from cellchain import years
from cellchain.errors import InvalidInputError, TooLargeError
from cellchain.scenarios.schema import POLICIES, SHOCKS, Scenario
from cellchain.years import DEFAULT_YEAR

MAX_BYTES = 256 * 1024


def _path(loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _msg(err: dict) -> str:
    """A pydantic error as one clause naming the value given."""
    text = (err["msg"].replace("Field required", "required key is missing")
            .replace("Extra inputs are not permitted", "unknown key"))
    if err["type"] not in ("missing",) and "input" in err:
        given = err["input"]
        shown = repr(given) if not isinstance(given, (dict, list)) else type(given).__name__
        text += f" (got {shown[:80]})"
    return text


def parse(data, source: str = "<scenario>", node=None) -> Scenario:
    """Validate a scenario given as parsed YAML (dicts and lists); ``node`` (the composed
    YAML document, when there is one) lets errors name the line as well as the key path."""

    def fail(parts: list, message: str, hint: str = "See docs/scenarios.md."):
        line = _line(node, parts)
        where = f"{source}, line {line}" if line else source
        text = message if message.endswith((".", "?", "!")) else message + "."
        raise InvalidInputError(f"{where}: {_path(parts) or '(top level)'}: {text}", hint)

    if not isinstance(data, dict):
        fail([], "expected a mapping with name, year, shocks, policy")
    allowed = {"name", "description", "year", "demand", "capacity", "shocks", "policy"}
    for key in data:
        if key not in allowed:
            fail([str(key)[:80]], "unknown key", f"allowed keys: {', '.join(sorted(allowed))}")
    items = {}
    for section, kinds in (("shocks", SHOCKS), ("policy", POLICIES)):
        parsed = []
        entries = data.get(section)
        entries = [] if entries is None else entries  # `shocks:` left empty; not `false`
        if not isinstance(entries, list):
            fail([section], "expected a list")
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or len(entry) != 1:
                fail([section, i], "each entry is a mapping with exactly one kind",
                     f"kinds: {', '.join(kinds)}")
            (kind, body), = entry.items()
            if kind not in kinds:
                label = "shock" if section == "shocks" else "policy"
                fail([section, i, str(kind)[:80]], f"unknown {label} kind",
                     f"use one of: {', '.join(kinds)}")
            try:
                parsed.append((kind, kinds[kind].model_validate({} if body is None else body)))
            except PydanticError as exc:
                err = exc.errors()[0]
                fail([section, i, kind, *err["loc"]], _msg(err))
        items[section] = parsed
    try:
        scenario = Scenario.model_validate({"name": data.get("name"),
                                            "description": data.get("description"),
                                            "year": data.get("year", DEFAULT_YEAR),
                                            "demand": data.get("demand"),
                                            "capacity": data.get("capacity"), **items})
    except PydanticError as exc:
        err = exc.errors()[0]
        fail(list(err["loc"]), _msg(err))
    try:
        years.check(scenario.year, "model")
    except InvalidInputError as exc:
        fail(["year"], exc.message, exc.hint)
    _check_projection(scenario, fail)
    return scenario


def _check_projection(scenario: Scenario, fail) -> None:
    """``demand`` and ``capacity`` only for a projected year; a known projection."""
    from cellchain.errors import UnknownValueError
    from cellchain.pipeline import demand

    for key in ("demand", "capacity"):
        if getattr(scenario, key) is not None and scenario.year <= years.AS_OF:
            fail([key], f"applies to a projected year ({years.AS_OF + 1} to "
                        f"{years.available('model')[-1]}); {scenario.year} uses observed "
                        "capacity and demand",
                 f"remove '{key}', or set a year after {years.AS_OF}")
    if scenario.demand is not None:
        try:
            name = demand.check_projection(scenario.demand.projection)
        except UnknownValueError as exc:
            fail(["demand", "projection"], exc.message, exc.hint)
        scenario.demand.projection = name


def _line(node, parts: list) -> int | None:
    """The line (1-based) of the YAML node at key path ``parts``, or of the deepest node
    on that path that exists; None without a node."""
    from yaml.nodes import MappingNode, SequenceNode

    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in parts:
        nxt = None
        if isinstance(node, MappingNode):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == str(part)),
                       None)
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            nxt = node.value[part]
        if nxt is None:
            break
        node = nxt
        line = node.start_mark.line + 1
    return line


def load(path) -> Scenario:
    """Read a YAML scenario file and validate it: a regular file only (never a folder,
    FIFO or device), at most :data:`MAX_BYTES` read whatever size the file system
    reports, UTF-8, parsed with :func:`safe_yaml`."""
    from cellchain.io import files

    raw = files.read_bytes(path, "scenario file", MAX_BYTES)
    return loads(raw, str(path))


def _check_size(size: int, source: str) -> None:
    if size > MAX_BYTES:
        raise TooLargeError(f"{source}: the file is {size} bytes; scenarios are limited "
                                f"to {MAX_BYTES} bytes.", "Split it into smaller scenarios.")


#: Deepest nesting of YAML collections a scenario may have (a real one needs 5).
MAX_DEPTH = 32
#: Most YAML aliases (``*name``) a scenario may use: aliases can multiply the work of
#: validating a small file exponentially.
MAX_ALIASES = 64


def _loader():
    """A YAML safe loader with depth and alias limits that refuses duplicate keys."""
    import yaml
    from yaml.constructor import ConstructorError
    from yaml.events import AliasEvent

    class Loader(yaml.SafeLoader):
        def __init__(self, stream):
            super().__init__(stream)
            self._depth = 0
            self._aliases = 0

        def compose_node(self, parent, index):
            if self.check_event(AliasEvent):
                self._aliases += 1
                if self._aliases > MAX_ALIASES:
                    raise ConstructorError(None, None, f"more than {MAX_ALIASES} aliases",
                                           self.peek_event().start_mark)
            self._depth += 1
            try:
                if self._depth > MAX_DEPTH:
                    raise ConstructorError(None, None,
                                           f"nested deeper than {MAX_DEPTH} levels",
                                           self.peek_event().start_mark)
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

        def construct_mapping(self, node, deep=False):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:
                    raise ConstructorError(None, None, "a key that is a list or mapping",
                                           key_node.start_mark) from None
                if first is not None:
                    raise ConstructorError(None, None,
                                           f"duplicate key {key!r} (first on line {first})",
                                           key_node.start_mark)
                seen[key] = key_node.start_mark.line + 1
            return super().construct_mapping(node, deep)

    return Loader


def safe_yaml(text: str, source: str):
    """Parse YAML text with the limits above; InvalidInputError with the line otherwise."""
    return _compose(text, source)[0]


def _compose(text: str, source: str):
    """(data, node): the parsed document and its composed YAML node (for line numbers)."""
    import yaml

    loader = _loader()(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(parse)"
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise InvalidInputError(f"{source}: {where}: not valid YAML ({problem}).",
                                "Fix the indentation, quoting or the key named.") from None
    except RecursionError:
        raise InvalidInputError(f"{source}: nested too deeply.",
                                f"A scenario nests at most {MAX_DEPTH} levels.") from None
    finally:
        loader.dispose()


def loads(raw: bytes, source: str = "<scenario>") -> Scenario:
    """Validate a scenario given as the bytes of a YAML file (e.g. an upload)."""
    from cellchain.io import files

    _check_size(len(raw), source)
    data, node = _compose(files.decode(raw, source), source)
    return parse(data, source, node)


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
