"""Plain-Python conversion of the simple option types, so that a command does not import
pydantic just to read ``--year 2023``.

Typer (0.2x) converts every option value through a pydantic ``TypeAdapter``; importing
pydantic and building the adapters takes about 0.1-0.2 s, more than the everyday
``cellchain production ... -f json`` needs for everything else. :func:`lighten` gives each
parameter of the command tree whose type is plain ``str``, ``int``, ``bool``, ``Path`` or
a list of those (no range, parser, choices or path checks) a converter with the same results and
the same error text. Anything else keeps Typer's own conversion. It relies on one detail
of Typer's parameters (a lazily built ``_runtime_param``); when that is absent (another
Typer version) it changes nothing, so the command line works either way, only slower.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

SIMPLE = (str, int, bool, Path)
TRUE = ("1", "true", "t", "yes", "y", "on")
FALSE = ("0", "false", "f", "no", "n", "off", "")


class PlainParam:
    """Converts one parameter's value(s) like Typer does, without pydantic."""

    def __init__(self, kind: type):
        self.kind = kind

    def coerce(self, value, param, ctx):
        multi = param.multiple or param.nargs == -1
        if value is None:
            return () if multi else None
        if multi:
            if isinstance(value, str):
                raise _bad("Value must be an iterable.", param, ctx)
            return [self.one(v, param, ctx) for v in value]
        return self.one(value, param, ctx)

    def one(self, value, param, ctx):
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if self.kind is str:
            return str(value)
        if self.kind is bool:
            return to_bool(value, param, ctx)
        if self.kind is Path:
            path = value if isinstance(value, Path) else Path(value)
            if path.exists() and not os.access(path, os.R_OK):  # Typer's default check
                raise _bad(f"path {str(value)!r} is not readable.", param, ctx, value)
            return path
        return to_int(value, param, ctx)


#: What Typer's pydantic conversion reads as an integer: ASCII digits (underscores between
#: them), a sign, and a fractional part of zeros only ("2023.0").
INTEGER = re.compile(r"[+-]?[0-9]+(?:_[0-9]+)*(?:\.0+)?")


def to_int(value, param=None, ctx=None) -> int:
    """An integer from the command line, read as Typer's pydantic conversion reads it
    (``2023``, `` 2023 ``, ``2023.0``, ``2_023``), else a usage error with its text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if not INTEGER.fullmatch(text):
        raise _bad("Input should be a valid integer, unable to parse string as an integer",
                   param, ctx, value)
    return int(text.split(".", 1)[0])


def to_bool(value, param=None, ctx=None) -> bool:
    """A flag's value: a bool, 0/1, or yes/no, true/false, on/off (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE or text in FALSE:
        return text in TRUE
    raise _bad("Input should be a valid boolean, unable to interpret input", param, ctx,
               value)


class ConversionError(ValueError):
    """Why a value did not convert, with the value; ``errors()`` has the shape of
    pydantic's, so the error handler names the value either way."""

    def __init__(self, message: str, value):
        super().__init__(message)
        self.value = value

    def errors(self) -> list[dict]:
        return [{"msg": str(self), "input": self.value}]


def _bad(message: str, param, ctx, value=None):
    from typer._click.exceptions import BadParameter

    exc = BadParameter(message, ctx=ctx, param=param)
    exc.__cause__ = ConversionError(message, value)
    return exc


def _kind(param) -> type | None:
    """The plain type to convert ``param`` to, or None to leave it to Typer."""
    desc = getattr(param, "type_descriptor", None)
    info = getattr(desc, "parameter_info", None)
    if desc is None or info is None or not hasattr(param, "_runtime_param"):
        return None
    if getattr(info, "parser", None) is not None or getattr(desc, "file_annotation", None):
        return None
    if getattr(info, "min", None) is not None or getattr(info, "max", None) is not None:
        return None
    annotation = desc.annotation
    if getattr(desc, "is_list", False):
        args = getattr(annotation, "__args__", ())
        annotation = args[0] if len(args) == 1 else None
    if annotation not in SIMPLE:
        return None
    if annotation is Path and not _plain_path(info):
        return None
    if getattr(desc, "is_choice", False):
        return None
    return annotation


def _plain_path(info) -> bool:
    """True for a Path option with Typer's default checks (file or folder, must be
    readable if it exists, no resolving, no "-", no other path type)."""
    return (getattr(info, "file_okay", False) and getattr(info, "dir_okay", False)
            and not getattr(info, "exists", True) and not getattr(info, "writable", True)
            and not getattr(info, "resolve_path", True)
            and not getattr(info, "allow_dash", True)
            and getattr(info, "path_type", None) is None)


def lighten(command, parent=None) -> int:
    """Give every simple parameter in ``command``'s tree (its ``--help`` option included)
    a plain converter; returns how many were changed (0 when Typer's parameters do not
    look as expected)."""
    params = list(getattr(command, "params", []))
    ctx = None
    try:  # the help option is made on first use, from a context: make it now (cached)
        ctx = command.context_class(command, parent=parent,
                                    **(getattr(command, "context_settings", None) or {}))
        help_option = command.get_help_option(ctx)
        if help_option is not None:
            params.append(help_option)
    except Exception:  # another Typer: leave the help option to it
        ctx = None
    changed = 0
    for param in params:
        kind = _kind(param)
        if kind is not None and param._runtime_param is None:
            param._runtime_param = PlainParam(kind)
            changed += 1
    for sub in getattr(command, "commands", {}).values():
        changed += lighten(sub, ctx)
    return changed
