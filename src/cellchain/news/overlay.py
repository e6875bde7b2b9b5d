"""Accepted proposals as registry overlay CSVs (the schema of ``registry/``).

Every row cites the article (its own URL, else a ``file://`` reference), is dated today
as ``seen``, and carries a confidence no higher than ``medium``. Rows that refer to a
facility or entity that neither the registry nor the overlay holds are left out. The
overlay is merged with any overlay files already in the folder, validated together with
the bundled registry, and only then written (each file atomically), so a failure leaves
the folder as it was.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

from cellchain import schema
from cellchain.errors import InvalidInputError, ValidationError
from cellchain.io import registry
from cellchain.news.propose import STAGE_PRODUCTS
from cellchain.news.records import Proposal
from cellchain.news.view import RegistryView

OVERLAY_TABLES = ("entities", "facilities", "status", "capacity", "ownership", "links")


def cap_confidence(confidence: str) -> str:
    """The extractor's confidence capped at ``medium``."""
    return "low" if confidence == "low" else "medium"


def rows_for(proposals: list[Proposal], view: RegistryView, sources: dict[str, str],
             today: str | None = None) -> dict[str, list[dict]]:
    """Overlay rows for the accepted, writable proposals, by table.

    ``sources`` maps each article's source label to the URL cited for it.
    """
    today = today or date.today().isoformat()
    out: dict[str, list[dict]] = {t: [] for t in OVERLAY_TABLES}
    facilities: dict[str, dict] = {}

    def common(p: Proposal) -> dict:
        note = f"From news: \"{p.sentence[:240]}\" ({p.modality}; {p.registry}"
        note += f"; registry had {p.current})" if p.registry == "conflicts" else ")"
        return {"source_url": sources[p.article], "seen": today,
                "confidence": cap_confidence(p.confidence), "notes": note}

    chosen = [p for p in proposals if p.accept and p.writable]
    for p in chosen:
        t = p.target
        if p.kind == "new_entity":
            out["entities"].append({"id": t.id, "name": t.name, "country": t.country,
                                    "kind": "company", **common(p)})
        elif p.kind == "new_facility":
            facilities[t.id] = {
                "id": t.id, "name": t.name, "stage": t.stage,
                "products": STAGE_PRODUCTS[t.stage], "country": t.country, "city": t.city,
                "chemistry": ";".join(p.detail.get("chemistry") or []) or None,
                "operator": t.operator, **common(p)}
    for p in chosen:
        t = p.target
        if p.kind in ("jobs", "capex"):
            row = facilities.get(t.id)
            if row is None and t.id in view.facilities:
                base = view.facilities[t.id]
                row = {k: base.get(k) for k in _columns("facilities")}
                row.update(common(p))
                row["notes"] = (f"{row['notes']} Other fields as in the registry row cited to "
                                f"{base['source_url']}.")
                facilities[t.id] = row
            if row is None:
                continue
            if p.kind == "jobs":
                row["jobs"] = int(p.value)
                row["jobs_year"] = int(p.date[:4]) if p.date else None
            else:
                row["capex_musd"] = round(float(p.value), 3)
        elif p.kind == "status_change":
            out["status"].append({"facility": t.id, "status": p.value, "date": p.date,
                                  **common(p)})
        elif p.kind == "capacity":
            out["capacity"].append({"facility": t.id, "year": p.date[:4] if p.date else None,
                                    "capacity": p.value, "unit": p.unit,
                                    "basis": p.detail["basis"], **common(p)})
        elif p.kind == "owner_change":
            out["ownership"].append({"owner": p.value, "owned": p.detail["owned"],
                                     "share": p.detail.get("share"), "valid_from": p.date,
                                     **common(p)})
        elif p.kind == "supply_link":
            out["links"].append({"supplier": p.value, "customer": p.detail["customer"],
                                 "product": p.detail.get("product"), "valid_from": p.date,
                                 **common(p)})
    out["facilities"] = list(facilities.values())
    return _drop_dangling(out, view)


def _drop_dangling(out: dict[str, list[dict]], view: RegistryView) -> dict[str, list[dict]]:
    """Leave out rows that refer to ids neither the registry nor the overlay has."""
    entities = set(view.entities) | {r["id"] for r in out["entities"]}
    out["facilities"] = [r for r in out["facilities"] if r["operator"] in entities]
    facilities = set(view.facilities) | {r["id"] for r in out["facilities"]}
    known = entities | facilities
    out["status"] = [r for r in out["status"] if r["facility"] in facilities]
    out["capacity"] = [r for r in out["capacity"] if r["facility"] in facilities]
    out["ownership"] = [r for r in out["ownership"]
                        if r["owner"] in entities and r["owned"] in known]
    out["links"] = [r for r in out["links"]
                    if r["supplier"] in known and r["customer"] in known]
    return out


def _columns(table: str) -> list[str]:
    return [c.name for c in schema.columns("registry")[table]]


def write(rows: dict[str, list[dict]], folder: Path) -> list[Path]:
    """Merge ``rows`` into the overlay ``folder`` (created if missing), validate, write.

    Returns the files written. Raises :class:`ValidationError` (nothing written) when the
    registry with the new overlay has problems.
    """
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise InvalidInputError(f"Overlay folder {folder} is a file.",
                                "Give a folder for --overlay-out.")
    if not folder.parent.is_dir():
        raise InvalidInputError(f"Folder {folder.parent} does not exist.",
                                "Create it first or choose another --overlay-out.")
    created = not folder.exists()
    folder.mkdir(exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".news-overlay-", dir=folder))
    done = False
    try:
        changed = []
        for table in sorted({*OVERLAY_TABLES, *(p.stem for p in folder.glob("*.csv"))}):
            existing = folder / f"{table}.csv"
            new = rows.get(table, [])
            if existing.is_file():
                shutil.copy(existing, staging / existing.name)
            if not new:
                continue
            _merge(staging / f"{table}.csv", table, new)
            changed.append(table)
        problems = registry.load(staging, use_env=False).problems
        if problems:
            first = problems[0]
            raise ValidationError(f"The overlay would not validate: {first}"
                                  + (f" (and {len(problems) - 1} more)"
                                     if len(problems) > 1 else ""), problems,
                                  "Reject the proposal concerned, or fix the overlay folder.")
        written = []
        for table in changed:
            target = folder / f"{table}.csv"
            os.replace(staging / f"{table}.csv", target)
            written.append(target)
        done = True
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not done:
            shutil.rmtree(folder, ignore_errors=True)  # leave no empty folder behind


def _merge(path: Path, table: str, new: list[dict]) -> None:
    """Append ``new`` rows to the CSV at ``path`` (creating it); keyed tables replace
    rows with the same id."""
    cols = _columns(table)
    old: list[dict] = []
    if path.is_file():
        with open(path, newline="", encoding="utf-8") as fh:
            old = list(csv.DictReader(fh))
    key = registry.KEYED.get(table)
    if key:
        ids = {r[key] for r in new}
        old = [r for r in old if r.get(key) not in ids]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        for r in old + new:
            w.writerow({c: _cell(r.get(c)) for c in cols})


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
