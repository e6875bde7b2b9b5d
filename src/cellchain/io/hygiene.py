"""Data hygiene of the registry: what is valid but weak, reported by ``data validate``.

Validation (:mod:`cellchain.io.registry`) rejects what the model cannot read. These checks
find rows it reads but should not trust blindly, each as a :class:`Finding` naming the
file, the line and what to do:

- ``no year``: a capacity or country-total row without a year never counts for any year;
  a facility with capacity rows but none dated never counts either;
- ``no status``: a facility with capacity but no status row is never counted as operating;
- ``duplicate``: the same figure twice for the same key (often two mirrors of one story);
- ``conflict``: different figures for the same key and year, with the one that wins and why;
- ``listing page``: a source URL that is a tag, topic, search or home page, not an article;
- ``mirror``: high confidence on a copy of someone else's page (mirror or scraper hosts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

from cellchain import nomenclature as nom
from cellchain.io.registry import Registry, Row

#: Keys under which two rows describe the same figure, per table.
KEYS = {
    "capacity": ("facility", "year", "basis", "unit"),
    "country_totals": ("country", "stage", "product", "year", "measure", "value_kind", "unit"),
    "flows": ("exporter", "importer", "product", "year", "measure", "unit", "scope"),
    "ownership": ("owner", "owned", "valid_from", "valid_to"),
    "demand": ("market", "end_use", "year", "measure", "unit", "scenario"),
}
VALUE = {"capacity": "capacity", "country_totals": "value", "flows": "value",
         "ownership": "share", "demand": "value"}

#: Path shapes of pages that list articles rather than state a fact.
LISTING = re.compile(r"/(tags?|topics?|category|categories|author)/[a-z][a-z0-9-]*"
                     r"(/page/\d+)?/?$|/search(/|$)|[?&](s|q|query)=", re.I)
#: Hosts that republish other sites' pages (mirrors, scrapers, aggregators' API hosts):
#: a figure read there is only as good as the copy; it can be medium at best.
MIRROR_HOSTS = ("wungiel.pl", "classcycles.fr", "konferencjaskd2024.pl", "redplanx.com",
                "viigoo.eu.org", "pages.dev", "amazonaws.com", "tyubcd3.cn",
                "dolubatarya.com", "openpunks.io", "stocknews24.com", "forex-strategy.com",
                "haorendy.com", "businesstostartwith1k.com", "scribd.com")
#: A page name like "09_May_2023_18612.html": the shape of auto-generated mirror pages.
MIRROR_PATH = re.compile(r"/\d{2}_[A-Z][a-z]{2}_\d{4}_\d+\.html$")


@dataclass(frozen=True)
class Finding:
    """One hygiene finding: where, what kind, what is wrong and what to do."""

    file: str
    line: int | None
    kind: str
    message: str
    hint: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"warning: {where}: {self.kind}: {self.message} ({self.hint})"


def check(reg: Registry) -> list[Finding]:
    """Every hygiene finding in a loaded registry, table by table."""
    out: list[Finding] = []
    out += _undated(reg)
    for table in KEYS:
        out += _duplicates_and_conflicts(table, reg.tables.get(table, []))
    for rows in reg.tables.values():
        for row in rows:
            out += _source(row)
    return out


def _undated(reg: Registry) -> list[Finding]:
    out = []
    dated: set[str] = set()
    first: dict[str, Row] = {}
    for row in reg.tables["capacity"]:
        v = row.values
        first.setdefault(v["facility"], row)
        if v["year"] is None:
            if v["basis"] != "target":
                out.append(Finding(row.file, row.line, "no year",
                                   f"{v['facility']}: {v['capacity']} {v['unit']} without a "
                                   "year never counts", "give the year the source states"))
        else:
            dated.add(v["facility"])
    for fid, row in first.items():
        if fid not in dated:
            out.append(Finding(row.file, row.line, "no year",
                               f"facility {fid!r} has no dated capacity, so it counts in no "
                               "year", "add a capacity row with a year"))
    with_status = {r.values["facility"] for r in reg.tables["status"]}
    for fid, row in first.items():
        if fid not in with_status:
            out.append(Finding(row.file, row.line, "no status",
                               f"facility {fid!r} has capacity but no status, so it never "
                               "counts as operating", "add a status row with its source"))
    for row in reg.tables["country_totals"]:
        if row.values["year"] is None:
            v = row.values
            out.append(Finding(row.file, row.line, "no year",
                               f"{v['country']} {v['stage']} {v['product']} {v['measure']} "
                               "without a year is never used", "give the year, or drop it"))
    return out


def _duplicates_and_conflicts(table: str, rows: list[Row]) -> list[Finding]:
    groups: dict[tuple, list[Row]] = {}
    for row in rows:
        key = tuple(row.values.get(k) for k in KEYS[table])
        if table != "ownership" and row.values.get("year") is None:
            continue  # reported as undated
        groups.setdefault(key, []).append(row)
    out = []
    for key, group in groups.items():
        if len(group) < 2:
            continue
        label = ", ".join(str(k) for k in key if k not in (None, ""))
        values = [r.values[VALUE[table]] for r in group]
        if len(set(values)) == 1:
            lines = ", ".join(str(r.line) for r in group[1:])
            out.append(Finding(group[0].file, group[0].line, "duplicate",
                               f"{table} {label}: the same figure {values[0]} also on line(s) "
                               f"{lines}", "keep the row with the better source"))
            continue
        winner = _winner(table, group)
        others = "; ".join(f"line {r.line}: {r.values[VALUE[table]]} ({r.values['confidence']})"
                           for r in group if r is not winner)
        why = ("most confident source" if any(
            r.values["confidence"] != winner.values["confidence"] for r in group)
               else "equal confidence, first row in the file")
        if table == "ownership":
            why = "holdings on the same dates; the validation sums them"
        out.append(Finding(winner.file, winner.line, "conflict",
                           f"{table} {label}: {winner.values[VALUE[table]]} "
                           f"({winner.values['confidence']}) wins over {others}: {why}",
                           "check the sources and keep one figure, or date them apart"))
    return out


def _winner(table: str, group: list[Row]) -> Row:
    """The row the model uses: the most confident, then the first in the file."""
    rank = {c: i for i, c in enumerate(nom.CONFIDENCE)}
    return min(group, key=lambda r: (rank.get(r.values["confidence"], 3), r.line))


def _source(row: Row) -> list[Finding]:
    url = row.values.get("source_url")
    if not url:
        return []
    out = []
    parsed = urlparse(url)
    host = parsed.netloc.lower()
    where = parsed.path + ("?" + parsed.query if parsed.query else "")
    if (parsed.path in ("", "/") and not parsed.query) or LISTING.search(where):
        out.append(Finding(row.file, row.line, "listing page",
                           f"{url} is a listing or home page, not an article",
                           "cite the article that states the figure"))
    mirror = any(host == h or host.endswith("." + h) for h in MIRROR_HOSTS) or bool(
        MIRROR_PATH.search(parsed.path))
    if mirror and row.values.get("confidence") == "high":
        out.append(Finding(row.file, row.line, "mirror",
                           f"high confidence on a mirror or scraper page ({host})",
                           "cite the original publisher, or lower the confidence"))
    return out
