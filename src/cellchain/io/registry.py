"""The curated registry: reading its CSV tables, merging a user overlay, validating.

The registry is one CSV file per table (``entities``, ``ownership``, ``facilities``,
``capacity``, ``status``, ``links``, ``country_totals``), shipped in ``registry/`` and
installed as ``cellchain/registry_data``. A user overlay folder (``--data-dir`` or
``CELLCHAIN_DATA_DIR``) may hold files with the same names. Overlays replace by key
(:data:`KEYS`): the overlay's rows for a key replace every bundled row with that key, and
rows with a new key are added. Entities and facilities are keyed by id; a plant's capacity
or status history by the facility; holdings by what is held; and so on. So a full copy
of ``registry/`` changes nothing, and changing one plant's capacity history means giving
its whole history.

Overlay files are read with :mod:`cellchain.io.files` (regular files only, at most
:data:`MAX_OVERLAY_BYTES`, UTF-8, lines of at most :data:`MAX_LINE_CHARS`), and reading
stops after :data:`MAX_PROBLEMS` problems, so a huge invalid file is rejected in bounded
memory.

Every load is validated against ``schema/registry.csv`` and the invariants below; each
problem names the file, the line and the field, and says how to fix it.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cellchain import caches, schema, units
from cellchain import nomenclature as nom
from cellchain.errors import DataError, InvalidInputError, Problem, ValidationError

TABLES = ("entities", "ownership", "facilities", "capacity", "status", "links",
          "country_totals", "blocs", "intensities", "cell_materials", "chemistry_mix", "demand",
          "rankings", "flows")
KEYED = {"entities": "id", "facilities": "id"}
#: Replace-by-key columns of each table: an overlay's rows for a key replace all bundled
#: rows with that key.
KEYS: dict[str, tuple[str, ...]] = {
    "entities": ("id",), "facilities": ("id",), "ownership": ("owned",),
    "capacity": ("facility",), "status": ("facility",), "links": ("supplier", "customer"),
    "country_totals": ("country", "stage", "product", "year", "measure"),
    "blocs": ("bloc",), "intensities": ("chemistry",), "cell_materials": ("chemistry",),
    "chemistry_mix": ("market", "year"),
    "demand": ("market", "end_use", "year", "measure", "scenario"),
    "rankings": ("year", "measure"),
    "flows": ("exporter", "importer", "product", "year", "measure"),
}
#: Largest magnitude a number in the registry may have: far above any capacity [t/yr],
#: jobs or money [million USD] a plant has, far below where sums lose precision.
MAX_MAGNITUDE = 1e15
#: Largest overlay file read [bytes].
MAX_OVERLAY_BYTES = 100 * 1024 * 1024
#: Longest line of an overlay CSV [characters].
MAX_LINE_CHARS = 1 << 20
#: Reading stops after this many problems (they are listed; fix them and run again).
MAX_PROBLEMS = 100
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: Tolerance for shares summing to more than one [fraction].
SHARE_TOLERANCE = 1e-6


@dataclass
class Row:
    """A parsed registry row with where it came from."""

    values: dict
    file: str
    line: int


@dataclass
class Registry:
    """All registry tables as lists of :class:`Row`, plus the problems found loading them."""

    tables: dict[str, list[Row]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def records(self, table: str) -> list[dict]:
        return [r.values for r in self.tables.get(table, [])]


def registry_dir() -> Path:
    """Folder of the bundled registry CSVs (installed copy, else the repository's)."""
    installed = Path(__file__).resolve().parents[1] / "registry_data"
    if (installed / "facilities.csv").is_file():
        return installed
    return Path(__file__).resolve().parents[3] / "registry"


def overlay_dir() -> Path | None:
    """The user overlay folder from ``CELLCHAIN_DATA_DIR``, if set (checked with
    :func:`check_overlay`)."""
    env = os.environ.get("CELLCHAIN_DATA_DIR")
    return check_overlay(Path(env).expanduser()) if env else None


def check_overlay(folder: Path) -> Path:
    """``folder`` if it is a folder holding at least one file named like a registry
    table; DataError otherwise (also when the warehouse is current)."""
    where = f"Overlay folder {str(folder)!r} (--data-dir or CELLCHAIN_DATA_DIR)"
    try:
        is_dir = folder.is_dir()
        exists = is_dir or folder.exists()
    except OSError as exc:
        raise DataError(f"{where} cannot be read ({exc.strerror}).",
                        "Give a folder of registry CSV files.") from None
    if not exists:
        raise DataError(f"{where} does not exist.", "Give a folder of registry CSV files, "
                        "or unset CELLCHAIN_DATA_DIR.")
    if not is_dir:
        raise DataError(f"{where} is not a folder.", "Give the folder that holds the CSV "
                        "files, not a file.")
    try:
        names = {p.name for p in folder.iterdir()}
    except OSError as exc:
        raise DataError(f"{where} cannot be listed ({exc.strerror}).",
                        "Check its permissions.") from None
    if not any(f"{t}.csv" in names for t in TABLES):
        raise DataError(f"{where} holds no registry table.",
                        f"Name the files after the tables: {', '.join(TABLES)} (.csv).")
    return folder


def input_files() -> list[Path]:
    """Every registry file the warehouse is built from (bundled, then overlay)."""
    files = [registry_dir() / f"{t}.csv" for t in TABLES]
    overlay = overlay_dir()
    if overlay is not None:
        files += [overlay / f"{t}.csv" for t in TABLES if (overlay / f"{t}.csv").exists()]
    return files


# --------------------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------------------
def _parse_value(raw: str, col: schema.Column):
    """Convert one CSV cell to its schema type; raise ValueError with a reason."""
    text = raw.strip()
    if text == "":
        return None
    if col.type == "DOUBLE":
        try:
            value = float(text)
        except ValueError:
            raise ValueError("not a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("not a finite number")
        if abs(value) > MAX_MAGNITUDE:
            raise ValueError(f"beyond any plausible figure (more than {MAX_MAGNITUDE:g})")
        return value
    if col.type == "INTEGER":
        try:
            number = float(text)
        except ValueError:
            raise ValueError("not a number") from None
        if not number.is_integer():
            raise ValueError("not a whole number")
        if abs(number) > MAX_MAGNITUDE:
            raise ValueError(f"beyond any plausible figure (more than {MAX_MAGNITUDE:g})")
        return int(number)
    if col.type == "DATE":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError("not a date of the form YYYY-MM-DD") from None
    if col.unit == "date":
        try:
            if not PARTIAL_DATE.match(text):
                raise ValueError
            start_of(text)  # a real month and day
        except ValueError:
            raise ValueError("not a date of the form YYYY, YYYY-MM or YYYY-MM-DD") from None
    return text


def _lines(fh, path: Path):
    """The lines of ``fh``, each at most :data:`MAX_LINE_CHARS` (InvalidInputError past
    that), so no single line can fill memory."""
    number = 0
    while True:
        line = fh.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise InvalidInputError(f"line longer than {MAX_LINE_CHARS:,} characters",
                                    f"{path} is not a registry CSV file")
        yield line


def read_file(path: Path, table: str, problems: list[Problem]) -> list[Row]:
    """Read one registry CSV, checking its header and each cell's type.

    Stops (with a last problem saying so) once ``problems`` holds :data:`MAX_PROBLEMS`.
    """
    from cellchain.io import files

    cols = {c.name: c for c in schema.columns("registry")[table]}
    rows: list[Row] = []
    try:
        fh = files.open_text(path, f"{table} file", MAX_OVERLAY_BYTES)
    except InvalidInputError as exc:
        problems.append(Problem(str(path), None, None, exc.message, exc.hint or "fix the file"))
        return rows
    with fh:
        reader = csv.DictReader(_lines(fh, path))
        line = 1
        try:
            header = reader.fieldnames or []
            missing = [c for c, col in cols.items() if col.required and c not in header]
            unknown_cols = [h for h in header if h not in cols]
            for name in missing:
                problems.append(Problem(str(path), 1, name, "required column is missing",
                                        f"add a '{name}' column: {cols[name].description}"))
            for name in unknown_cols[:10]:
                problems.append(Problem(str(path), 1, name[:80], "unknown column",
                                        f"columns of {table} are: {', '.join(cols)}"))
            if missing or len(header) != len(set(header)):
                if len(header) != len(set(header)):
                    problems.append(Problem(str(path), 1, None, "a column name is repeated",
                                            "give each column once"))
                return rows
            for raw in reader:
                line = reader.line_num
                if len(problems) >= MAX_PROBLEMS:
                    problems.append(Problem(str(path), line, None,
                                            f"stopped reading after {MAX_PROBLEMS} problems",
                                            "fix the problems listed and load again"))
                    return rows
                values = {}
                for name, col in cols.items():
                    cell = raw.get(name)
                    if cell is None and None in raw:
                        cell = ""
                    try:
                        values[name] = _parse_value(cell or "", col)
                    except ValueError as exc:
                        shown = cell if len(cell or "") <= 80 else cell[:77] + "..."
                        problems.append(Problem(str(path), line, name,
                                                f"{shown!r} is {exc}",
                                                f"give {col.type.lower()} [{col.unit}]"
                                                if col.unit else "fix the value"))
                        values[name] = None
                        continue
                    if col.required and values[name] is None:
                        problems.append(Problem(str(path), line, name,
                                                "required value is empty",
                                                col.description))
                if None in raw:
                    problems.append(Problem(str(path), line, None,
                                            "more cells than columns",
                                            "quote values that contain commas"))
                rows.append(Row(values, str(path), line))
        except csv.Error as exc:
            problems.append(Problem(str(path), reader.line_num, None, f"malformed CSV: {exc}",
                                    "fix the quoting on that line"))
        except UnicodeDecodeError:
            problems.append(Problem(str(path), line + 1, None, "a byte that is not UTF-8",
                                    "save the file as UTF-8"))
        except InvalidInputError as exc:  # over the size or line-length limit
            problems.append(Problem(str(path), line + 1, None, exc.message,
                                    exc.hint or "use a smaller file"))
    return rows


def _merge(base: list[Row], extra: list[Row], table: str) -> list[Row]:
    """Bundled rows with the overlay laid over them: replace by key (:data:`KEYS`)."""
    key = KEYS[table]

    def of(row: Row) -> tuple:
        return tuple(row.values.get(k) for k in key)

    replaced = {of(r) for r in extra}
    return [r for r in base if of(r) not in replaced] + extra


def load(overlay: Path | None = None, *, use_env: bool = True) -> Registry:
    """Read the bundled registry and an overlay (argument, else ``CELLCHAIN_DATA_DIR``).

    Returns a :class:`Registry` with every problem found; it does not raise.
    """
    if overlay is None and use_env:
        overlay = overlay_dir()
    reg = Registry()
    base = registry_dir()
    if overlay is not None:
        overlay = check_overlay(overlay)
    for table in TABLES:
        rows = read_file(base / f"{table}.csv", table, reg.problems)
        if overlay is not None and (overlay / f"{table}.csv").exists():
            extra = read_file(overlay / f"{table}.csv", table, reg.problems)
            rows = _merge(rows, extra, table)
        reg.tables[table] = rows
        if len(reg.problems) >= MAX_PROBLEMS:
            return reg  # invariants over a half-read registry would only add noise
    if overlay is not None:
        for path in sorted(overlay.glob("*.csv")):
            if path.stem not in TABLES:
                reg.problems.append(Problem(str(path), None, None, "unknown registry table",
                                            f"name overlay files {', '.join(TABLES)}.csv"))
    reg.problems += check(reg)
    return reg


# --------------------------------------------------------------------------------------
# invariants
# --------------------------------------------------------------------------------------
@caches.cached
def _iso3_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


def start_of(text: str | None) -> date | None:
    """First day a partial date (YYYY, YYYY-MM, YYYY-MM-DD) covers; None for empty."""
    if not text:
        return None
    return _start_of(text)


@caches.cached
def _start_of(text: str) -> date:
    """:func:`start_of` of a non-empty text (memoised: registries repeat a few dates)."""
    parts = [int(p) for p in text.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def check(reg: Registry) -> list[Problem]:
    """Every invariant problem in a loaded registry."""
    problems: list[Problem] = []

    def bad(row: Row, fld: str | None, message: str, hint: str):
        problems.append(Problem(row.file, row.line, fld, message, hint))

    iso3 = _iso3_codes()
    entities = {r.values["id"]: r for r in reg.tables["entities"] if r.values["id"]}
    facilities = {r.values["id"]: r for r in reg.tables["facilities"] if r.values["id"]}

    for table in ("entities", "facilities"):
        seen: dict[str, Row] = {}
        for row in reg.tables[table]:
            rid = row.values["id"]
            if rid is None:
                continue
            if not ID.match(rid):
                bad(row, "id", f"id {rid!r} is not lowercase-kebab",
                    "use lowercase letters, digits and hyphens")
            if rid in seen:
                bad(row, "id", f"duplicate id {rid!r} (also line {seen[rid].line})",
                    "ids must be unique; merge the rows")
            seen[rid] = row
    clash = set(entities) & set(facilities)
    for rid in sorted(clash):
        bad(facilities[rid], "id", f"id {rid!r} is both an entity and a facility",
            "rename one of them")

    for row in reg.tables["entities"]:
        v = row.values
        _country(row, iso3, bad)
        _one_of(row, "kind", nom.ENTITY_KINDS, bad)
        _check_common(row, bad)

    for row in reg.tables["facilities"]:
        v = row.values
        _one_of(row, "stage", nom.STAGES, bad)
        for product in _split(v["products"]):
            if product not in nom.ALL_PRODUCTS:
                bad(row, "products", f"unknown product {product!r}",
                    f"use product ids such as {', '.join(nom.ALL_PRODUCTS[:6])}, ...")
        for chem in _split(v["chemistry"]):
            if chem not in nom.CHEMISTRIES:
                bad(row, "chemistry", f"unknown chemistry {chem!r}",
                    f"use one of {', '.join(nom.CHEMISTRIES)}")
        for use in _split(v["end_uses"]):
            if use not in nom.END_USES:
                bad(row, "end_uses", f"unknown end use {use!r}",
                    f"use one of {', '.join(nom.END_USES)}")
        _country(row, iso3, bad)
        _known_entity(row, "operator", entities, bad)
        if v["lat"] is not None and not -90 <= v["lat"] <= 90:
            bad(row, "lat", f"latitude {v['lat']} out of range", "use -90..90 degrees")
        if v["lon"] is not None and not -180 <= v["lon"] <= 180:
            bad(row, "lon", f"longitude {v['lon']} out of range", "use -180..180 degrees")
        for num in ("jobs", "capex_musd"):
            if v[num] is not None and v[num] < 0:
                bad(row, num, f"negative {num}", "use a non-negative number")
        _check_common(row, bad)

    for row in reg.tables["ownership"]:
        v = row.values
        _known_entity(row, "owner", entities, bad)
        if v["owned"] and v["owned"] not in entities and v["owned"] not in facilities:
            bad(row, "owned", f"{v['owned']!r} is neither an entity nor a facility",
                "fix the id or add the row it refers to")
        if v["owner"] and v["owner"] == v["owned"]:
            bad(row, "owned", "an entity cannot own itself", "remove the row")
        if v["share"] is not None and not 0 <= v["share"] <= 1:
            bad(row, "share", f"share {v['share']} outside 0..1",
                "give equity as a fraction, e.g. 0.25 for 25 %")
        _check_dates(row, bad)
        _check_common(row, bad)
    problems += _check_ownership_sums(reg)
    problems += _check_cycles(reg)

    for row in reg.tables["capacity"]:
        v = row.values
        _known(row, "facility", facilities, bad)
        if v["capacity"] is not None and v["capacity"] < 0:
            bad(row, "capacity", f"negative capacity {v['capacity']}",
                "capacities are non-negative")
        _capacity_unit(row, facilities, bad)
        _one_of(row, "basis", nom.CAPACITY_BASES, bad)
        _check_common(row, bad)

    for row in reg.tables["status"]:
        v = row.values
        _known(row, "facility", facilities, bad)
        _one_of(row, "status", nom.STATUSES, bad)
        _check_common(row, bad)

    known = set(entities) | set(facilities)
    for row in reg.tables["links"]:
        for fld in ("supplier", "customer"):
            if row.values[fld] and row.values[fld] not in known:
                bad(row, fld, f"{row.values[fld]!r} is neither a facility nor an entity",
                    "add it to the registry or fix the id")
        _check_dates(row, bad)
        _check_common(row, bad)

    for row in reg.tables["country_totals"]:
        v = row.values
        _country(row, iso3 | {nom.WORLD}, bad)
        _one_of(row, "stage", nom.STAGES, bad)
        _one_of(row, "measure", nom.TOTAL_MEASURES, bad)
        _one_of(row, "value_kind", nom.VALUE_KINDS, bad)
        _total_product_and_unit(row, bad)
        if v["measure"] == "share" and v["value"] is not None and not 0 <= v["value"] <= 1:
            bad(row, "value", f"share {v['value']} outside 0..1", "give a fraction")
        if v["value"] is not None and v["value"] < 0:
            bad(row, "value", "negative total", "totals are non-negative")
        _check_common(row, bad)

    for table in ("intensities", "chemistry_mix", "demand", "rankings"):
        for row in reg.tables[table]:
            v = row.values
            for fld in ("kg_per_kwh", "share", "value"):
                if v.get(fld) is not None and v[fld] < 0:
                    bad(row, fld, f"negative {fld}", "use a non-negative number")
            if table == "chemistry_mix" and v["share"] is not None and v["share"] > 1:
                bad(row, "share", f"share {v['share']} above 1", "give a fraction 0-1")
            _check_common(row, bad)

    for row in reg.tables["demand"]:
        _one_of(row, "end_use", nom.DEMAND_END_USES, bad)
        _one_of(row, "measure", nom.DEMAND_MEASURES, bad)
        market = row.values["market"]
        if market and market not in iso3 and market not in nom.DEMAND_REGIONS:
            bad(row, "market", f"unknown market {market!r}",
                f"use an ISO 3166 alpha-3 code or one of {', '.join(nom.DEMAND_REGIONS)}")

    _check_cell_materials(reg.tables["cell_materials"], bad)

    for row in reg.tables["rankings"]:
        _known_entity(row, "entity", entities, bad)
        if row.values["rank"] is not None and row.values["rank"] < 1:
            bad(row, "rank", f"rank {row.values['rank']} below 1",
                "rank from 1 (the largest)")

    for row in reg.tables["blocs"]:
        _country(row, iso3, bad)
        _check_dates(row, bad)
        _check_common(row, bad)

    for row in reg.tables.get("flows", []):
        v = row.values
        for fld in ("exporter", "importer"):
            if v[fld] and v[fld] not in iso3 and v[fld] != nom.WORLD:
                bad(row, fld, f"unknown country code {v[fld]!r}",
                    "use an ISO 3166 alpha-3 code or WLD")
        _one_of(row, "measure", nom.FLOW_MEASURES, bad)
        if v["value"] is not None and v["value"] < 0:
            bad(row, "value", "negative flow", "values and quantities are non-negative")
        if v["measure"] == "share" and v["value"] is not None and v["value"] > 1:
            bad(row, "value", f"share {v['value']} above 1", "give a fraction 0-1")
        _check_common(row, bad)
    return problems


def _capacity_unit(row: Row, facilities: dict[str, Row], bad) -> None:
    """A capacity's unit must convert to the model unit of one of its plant's products."""
    unit = row.values["unit"]
    if unit is None:
        return
    if unit not in units.UNITS or "/yr" not in unit:
        rates = sorted(u for u in units.UNITS if "/yr" in u)
        bad(row, "unit", f"unknown capacity unit {unit!r}", f"use one of {', '.join(rates)}")
        return
    fac = facilities.get(row.values["facility"])
    if fac is None:
        return
    products = [p for p in _split(fac.values["products"]) if p in units.PRODUCT_UNITS]
    if products and not any(units.fits(unit, p) for p in products):
        wanted = sorted({units.PRODUCT_UNITS[p] for p in products})
        bad(row, "unit", f"unit {unit!r} does not convert to the unit of any of the "
            f"plant's products ({', '.join(products)})",
            f"give the capacity in {' or '.join(wanted)} or a unit that converts to it")


def _total_product_and_unit(row: Row, bad) -> None:
    """A country total names a product of its stage, in a unit the model converts."""
    v = row.values
    product, stage, unit = v["product"], v["stage"], v["unit"]
    if product and stage in nom.PRODUCTS and product not in nom.PRODUCTS[stage]:
        bad(row, "product", f"{product!r} is not a product of stage {stage!r}",
            f"use one of {', '.join(nom.PRODUCTS[stage])}")
        return
    if not unit or not product or product not in units.PRODUCT_UNITS:
        return
    if v["measure"] == "share":
        allowed = ("fraction of world production", "fraction of world capacity")
        if unit not in allowed:
            bad(row, "unit", f"share unit {unit!r} does not say of what",
                f"use {' or '.join(allowed)}")
    elif not units.fits(unit, product):
        bad(row, "unit", f"unit {unit!r} does not convert to {product}'s "
            f"{units.PRODUCT_UNITS[product]}",
            "give the figure in a unit listed in docs/reference.md (e.g. t LCE, t Ni, GWh)")


#: The most a kilogram of lithium-ion cell can store [kWh/kg]; today's best are ~0.3.
MAX_CELL_KWH_PER_KG = 0.5


def _check_cell_materials(rows: list[Row], bad) -> None:
    """Cell-materials rows: a known product and input, the input's unit, a positive amount,
    and cells whose active materials (one source's figures) weigh no more than the cell."""
    held: dict[tuple[str, str], float] = {}
    for row in rows:
        v = row.values
        _check_common(row, bad)
        inputs = nom.CELL_MATERIAL_INPUTS.get(v["product"])
        if inputs is None:
            _one_of(row, "product", tuple(nom.CELL_MATERIAL_INPUTS), bad)
            continue
        if v["input"] not in inputs:
            _one_of(row, "input", tuple(inputs), bad)
            continue
        if v["unit"] != inputs[v["input"]]:
            bad(row, "unit", f"unit {v['unit']!r} does not fit {v['input']}",
                f"give {v['input']} in {inputs[v['input']]}")
        amount = v["amount"]
        if amount is None:
            continue
        if amount <= 0:
            bad(row, "amount", f"amount {amount} is not positive",
                "give a positive amount, or leave the row out")
        elif v["input"] == "energy" and amount > MAX_CELL_KWH_PER_KG:
            bad(row, "amount", f"{amount} kWh per kg of cell is more than any lithium-ion "
                f"cell stores (at most {MAX_CELL_KWH_PER_KG})", "check the unit (kWh/kg)")
        elif v["unit"] == "kg/kg cell":
            key = (v["chemistry"], v["source_url"])
            held[key] = held.get(key, 0.0) + amount
            if held[key] > 1:
                bad(row, "amount", f"{v['chemistry']} active materials add up to "
                    f"{held[key]:.3g} kg per kg of cell",
                    "a cell cannot hold more than its own mass; check the figures")


def _country(row: Row, known: frozenset[str], bad) -> None:
    """Report an unknown country code in the row's ``country`` field."""
    code = row.values["country"]
    if code and code not in known:
        extra = " or WLD" if "WLD" in known else ", e.g. CHN, USA, RUS"
        bad(row, "country", f"unknown country code {code!r}",
            f"use an ISO 3166 alpha-3 code{extra}")


def _known_entity(row: Row, field: str, entities, bad) -> None:
    """Report a reference in ``field`` to an entity id that does not exist."""
    value = row.values[field]
    if value and value not in entities:
        bad(row, field, f"{field} {value!r} not found in entities",
            "add the entity to entities.csv or fix the id")


def _known(row: Row, field: str, ids, bad) -> None:
    """Report a reference in ``field`` to a facility id that does not exist."""
    value = row.values[field]
    if value and value not in ids:
        bad(row, field, f"facility {value!r} not found", "add it to facilities.csv or fix the id")


def _one_of(row: Row, field: str, choices: tuple[str, ...], bad) -> None:
    """Report a value of ``field`` that is not among ``choices``."""
    value = row.values[field]
    if value and value not in choices:
        bad(row, field, f"unknown {field} {value!r}", f"use one of {', '.join(choices)}")


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(";") if p.strip()]


def _check_common(row: Row, bad) -> None:
    v = row.values
    url = v.get("source_url")
    # An overlay row may cite a local article by its file:// address (news extract).
    schemes = ("http://", "https://") if _is_bundled(row) else ("http://", "https://",
                                                                "file://")
    if url is not None and not url.startswith(schemes):
        bad(row, "source_url", f"{url!r} is not a URL", "cite the source's http(s) address")
    if v.get("confidence") is not None and v["confidence"] not in nom.CONFIDENCE:
        bad(row, "confidence", f"unknown confidence {v['confidence']!r}",
            "use high, medium or low")


def _is_bundled(row: Row) -> bool:
    return _in_registry_dir(row.file)


@caches.cached
def _in_registry_dir(file: str) -> bool:
    """True for a file of the bundled registry (one path check per file, not per row)."""
    return Path(file).parent == registry_dir()


def _check_dates(row: Row, bad) -> None:
    start, end = start_of(row.values.get("valid_from")), start_of(row.values.get("valid_to"))
    if start and end and end < start:
        bad(row, "valid_to", f"ends ({row.values['valid_to']}) before it starts "
            f"({row.values['valid_from']})", "swap or correct the dates")


def _check_ownership_sums(reg: Registry) -> list[Problem]:
    """Holdings in one entity or facility may not add up to more than 100 % at any date."""
    problems = []
    by_owned: dict[str, list[Row]] = {}
    for row in reg.tables["ownership"]:
        if row.values["owned"] and row.values["share"] is not None:
            by_owned.setdefault(row.values["owned"], []).append(row)
    for owned, rows in sorted(by_owned.items()):
        moments = {start_of(r.values["valid_from"]) or date.min for r in rows}
        for moment in sorted(moments):
            live = [r for r in rows if _valid_at(r.values, moment)]
            total = sum(r.values["share"] for r in live)
            if total > 1 + SHARE_TOLERANCE:
                first = live[0]
                problems.append(Problem(
                    first.file, first.line, "share",
                    f"holdings in {owned!r} add up to {100 * total:.1f} % on "
                    f"{moment if moment != date.min else 'the earliest date'} (lines "
                    f"{', '.join(str(r.line) for r in live)})",
                    "end the old holdings with valid_to, or correct the shares"))
                break
    return problems


def _valid_at(values: dict, moment: date) -> bool:
    start = start_of(values.get("valid_from")) or date.min
    end = start_of(values.get("valid_to")) or date.max
    return start <= moment < end


def _check_cycles(reg: Registry) -> list[Problem]:
    """Ownership may not loop back on itself (A owns B owns ... owns A)."""
    graph: dict[str, list[Row]] = {}
    for row in reg.tables["ownership"]:
        if row.values["owner"] and row.values["owned"]:
            graph.setdefault(row.values["owner"], []).append(row)
    state: dict[str, int] = {}
    problems = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for row in graph.get(node, []):
            nxt = row.values["owned"]
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
                problems.append(Problem(row.file, row.line, "owned",
                                        "ownership cycle: " + " -> ".join(cycle),
                                        "remove or end one of the holdings in the loop"))
            elif state.get(nxt) is None:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if state.get(node) is None:
            visit(node, [node])
    return problems


def load_valid(overlay: Path | None = None) -> Registry:
    """Load and raise :class:`ValidationError` listing every problem, if there are any."""
    reg = load(overlay)
    if reg.problems:
        first = reg.problems[0]
        more = f" (and {len(reg.problems) - 1} more)" if len(reg.problems) > 1 else ""
        raise ValidationError(f"Registry problem: {first}{more}", reg.problems,
                              "Run 'cellchain data validate' to list them all.")
    return reg
