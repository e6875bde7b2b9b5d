"""The gazetteer: every name an article may use for a registry entity or facility, a
city or region with plants, or a country, and a matcher that finds them in text.

Built from the registry (entity names and their bracketed aliases, facility cities and
regions), ``news/aliases.csv`` (short names and Russian and Chinese spellings), and the
ISO 3166 country list (pycountry) with demonyms. Matching folds case, accents and
Cyrillic script (transliterated to Latin), joins or splits compound words ("ThunderSky"),
and accepts misspelt single-word names at a similarity of at least
:data:`FUZZY_CUTOFF`. A lowercase phrase never matches a capitalised name ("great power
rivalry" is not Great Power).
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from cellchain import caches

#: Least similarity [0-1] for a misspelt name to match (difflib ratio of folded forms).
FUZZY_CUTOFF = 0.85
#: Shortest word [characters] that may match fuzzily.
FUZZY_MIN_LENGTH = 6
MAX_WORDS = 7

CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", [
    "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
    "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
    strict=True))
LEGAL_SUFFIXES = {"co", "ltd", "limited", "llc", "inc", "corporation", "corp", "group",
                  "company", "se", "ag", "sa", "as", "asa", "ab", "nv", "plc", "pty", "pvt",
                  "jsc", "pjsc", "sas", "holdings", "holding", "tbk", "pt", "gmbh", "n.v",
                  "s.a", "international"}
GENERIC = {"group", "energy", "power", "new", "technology", "technologies", "international",
           "battery", "batteries", "lithium", "materials", "material", "solutions", "general",
           "china", "global", "resources", "state", "government", "one", "first", "great",
           "advanced", "future", "critical", "electric", "motor", "cells", "investment",
           "development", "industrial", "mining", "chemical", "the", "plant", "company",
           "fund", "hong", "kong", "storage", "automotive", "capital", "holding", "metals"}
#: Place words that open many Chinese company names and may be dropped for a short form.
NAME_PLACES = {"zhejiang", "guangzhou", "shenzhen", "ningbo", "hunan", "jiangxi", "jiangsu",
               "beijing", "shanghai", "xiamen", "tianjin", "sichuan", "hubei", "guangdong",
               "chongqing", "changzhou", "shandong", "hong kong", "anqing", "jiangmen"}
#: Country names people write that ISO 3166 spells otherwise.
COUNTRY_ALIASES = {
    "Russia": "RUS", "South Korea": "KOR", "Korea": "KOR", "North Korea": "PRK",
    "Vietnam": "VNM", "Iran": "IRN", "Syria": "SYR", "Taiwan": "TWN", "Czechia": "CZE",
    "Czech Republic": "CZE", "Laos": "LAO", "Tanzania": "TZA", "Venezuela": "VEN",
    "Turkey": "TUR", "US": "USA", "U.S.": "USA", "USA": "USA", "America": "USA",
    "United States": "USA", "UK": "GBR", "Britain": "GBR", "Great Britain": "GBR",
    "DR Congo": "COD", "DRC": "COD", "Democratic Republic of Congo": "COD",
    "Bolivia": "BOL", "Moldova": "MDA", "Россия": "RUS", "Китай": "CHN", "中国": "CHN",
}
#: Adjectives of nationality [demonym -> ISO3], for "a Chinese battery maker".
DEMONYMS = {
    "Russian": "RUS", "Chinese": "CHN", "Korean": "KOR", "South Korean": "KOR",
    "Japanese": "JPN", "American": "USA", "German": "DEU", "French": "FRA",
    "Bolivian": "BOL", "Chilean": "CHL", "Argentine": "ARG", "Argentinian": "ARG",
    "Australian": "AUS", "Canadian": "CAN", "Indonesian": "IDN", "Hungarian": "HUN",
    "Polish": "POL", "Swedish": "SWE", "Norwegian": "NOR", "Finnish": "FIN",
    "Spanish": "ESP", "Italian": "ITA", "British": "GBR", "Indian": "IND",
    "Moroccan": "MAR", "Vietnamese": "VNM", "Belgian": "BEL", "Dutch": "NLD",
    "Slovak": "SVK", "Portuguese": "PRT", "Mexican": "MEX", "Brazilian": "BRA",
    "Turkish": "TUR", "Thai": "THA", "Malaysian": "MYS", "Swiss": "CHE",
}
_TOKEN = re.compile(r"[A-Z](?:\.[A-Z])+\.?|[^\W_]+(?:['’](?![sS]\b)[^\W_]+)?", re.U)
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Mention:
    """A name found in text: ``kind`` (entity, facility, city, country or demonym), the
    registry id, city name or ISO3 code it stands for, offsets [characters] and a match
    score [0-1]."""

    kind: str
    ref: str
    start: int
    end: int
    text: str
    score: float
    country: str | None = None


@dataclass
class Gazetteer:
    """Folded name -> what it names; plus per-city countries and facility places."""

    names: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    cjk: dict[str, tuple[str, str]] = field(default_factory=dict)
    place_country: dict[str, str] = field(default_factory=dict)
    single_words: dict[str, list[str]] = field(default_factory=dict)
    exact: set[str] = field(default_factory=set)

    def add(self, kind: str, ref: str, name: str, curated: bool = False) -> None:
        """Index ``name`` for ``(kind, ref)``; a derived entity name made only of generic
        words is skipped unless ``curated`` (listed in aliases.csv)."""
        name = name.strip()
        if not name:
            return
        if _CJK.search(name):
            self.cjk[name] = (kind, ref)
            return
        self.exact.add(name)
        words = fold_words(name)
        if not words or len(words) > MAX_WORDS:
            return
        if kind == "entity" and not curated and all(w in GENERIC for w in words):
            return
        for key in {" ".join(words), "".join(words)}:
            bucket = self.names.setdefault(key, [])
            if (kind, ref) not in bucket:
                bucket.append((kind, ref))
        if len(words) == 1 and len(words[0]) >= FUZZY_MIN_LENGTH:
            self.single_words.setdefault(words[0], [])

    def find(self, text: str, lo: int = 0, hi: int | None = None) -> list[Mention]:
        """Every name in ``text[lo:hi]``, longest first, not overlapping."""
        hi = len(text) if hi is None else hi
        tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, lo, hi)]
        folded = [fold_words(t[2]) for t in tokens]
        found: list[Mention] = []
        taken = [False] * len(tokens)
        for n in range(MAX_WORDS, 0, -1):
            for i in range(len(tokens) - n + 1):
                if any(taken[i:i + n]):
                    continue
                parts = [w for f in folded[i:i + n] for w in f]
                if not parts:
                    continue
                span = text[tokens[i][0]:tokens[i + n - 1][1]]
                hits = self.names.get(" ".join(parts)) or self.names.get("".join(parts))
                score = 1.0
                if not hits and n == 1 and len(parts) == 1 and _capitalised(span):
                    hits, score = self._fuzzy(parts[0])
                if not hits or not _capitalised(span):
                    continue
                if score == 1.0 and span not in self.exact:
                    score = 0.95  # a case, script or compound variant of a known spelling
                kind, ref = _prefer(hits)
                found.append(Mention(kind, ref, tokens[i][0], tokens[i + n - 1][1], span,
                                     score, self.place_country.get(ref)))
                for j in range(i, i + n):
                    taken[j] = True
        for name, (kind, ref) in self.cjk.items():
            for m in re.finditer(re.escape(name), text[lo:hi]):
                found.append(Mention(kind, ref, lo + m.start(), lo + m.end(), name, 0.95,
                                     self.place_country.get(ref)))
        return sorted(found, key=lambda m: m.start)

    def _fuzzy(self, word: str) -> tuple[list[tuple[str, str]] | None, float]:
        if len(word) < FUZZY_MIN_LENGTH:
            return None, 0.0
        best, best_score = None, 0.0
        for cand in self.single_words:
            if cand[0] != word[0] or abs(len(cand) - len(word)) > 2:
                continue
            score = difflib.SequenceMatcher(None, word, cand).ratio()
            if score > best_score or (score == best_score and best and cand < best):
                best, best_score = cand, score
        if best is None or best_score < FUZZY_CUTOFF:
            return None, 0.0
        return self.names[best], round(best_score, 3)


def _capitalised(span: str) -> bool:
    """Every word of a Latin-script span starts with a capital (or digit); other scripts
    and all-capital abbreviations pass."""
    for word in re.findall(r"[^\W_]+", span):
        first = word[0]
        if first.isalpha() and first.isascii() and not first.isupper():
            if word.lower() in ("de", "la", "del", "of", "and", "the", "du", "des"):
                continue
            return False
    return True


def _prefer(hits: list[tuple[str, str]]) -> tuple[str, str]:
    """Among names shared by several things: entity, then city, country, demonym; then
    the first id in sorted order (deterministic)."""
    order = {"entity": 0, "facility": 1, "city": 2, "country": 3, "demonym": 4}
    return sorted(hits, key=lambda h: (order.get(h[0], 9), h[1]))[0]


def fold(text: str) -> str:
    """Lowercase Latin form: Cyrillic transliterated, accents and apostrophes dropped."""
    out = []
    for ch in text.lower():
        out.append(CYRILLIC.get(ch, ch))
    text = unicodedata.normalize("NFKD", "".join(out))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"['’`]", "", text)


def fold_words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", fold(text).replace(".", ""))


def name_variants(name: str) -> list[str]:
    """Ways an article may write a registry name: the name, its bracketed aliases, and
    short forms without legal suffixes or a leading Chinese place name."""
    out = [name]
    main = re.sub(r"\s*\(.*?\)\s*", " ", name).strip()
    for inner in re.findall(r"\((.*?)\)", name):
        for part in re.split(r"[,;/]| – | - ", inner):
            part = re.sub(r"^(formerly|now|later renamed|ex-)\s+", "", part.strip(), flags=re.I)
            if part and all(w[0].isupper() or not w[0].isalpha() for w in part.split()):
                out.append(part)
    out.append(main)
    words = main.replace(",", " ").split()
    while words and fold(words[-1]).strip(".") in LEGAL_SUFFIXES:
        words = words[:-1]
    if words:
        out.append(" ".join(words))
        if len(words) >= 2 and fold(words[0]) in NAME_PLACES:
            out.append(" ".join(words[1:]))
    return [v for v in dict.fromkeys(out) if v]


#: Words that describe a plant rather than name it.
PLANT_WORDS = {"battery", "batteries", "plant", "plants", "cell", "cells", "factory",
               "lithium-ion", "lithium", "ion", "production", "works", "site", "base"}


def facility_variants(name: str) -> list[str]:
    """Names of a plant an article may use: the registry name up to its first bracket or
    comma, and that without describing words ("Gotion Manteno (Illinois) battery plant"
    -> "Gotion Manteno battery plant", "Gotion Manteno"); two words at least."""
    head = re.split(r"[(,]", name, maxsplit=1)[0].strip()
    short = " ".join(w for w in head.split() if w.lower() not in PLANT_WORDS)
    return [v for v in dict.fromkeys((head, short)) if len(v.split()) >= 2]


@caches.cached
def country_names() -> dict[str, str]:
    """Name -> ISO3 for every ISO 3166 country, with common and short names."""
    import pycountry

    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value:
                names.setdefault(value, c.alpha_3)
                if ", " in value:
                    names.setdefault(value.split(", ")[0], c.alpha_3)
    names.update(COUNTRY_ALIASES)
    for ambiguous in ("Korea", "Congo", "Virgin Islands", "Micronesia", "Saint Martin"):
        if ambiguous not in COUNTRY_ALIASES:
            names.pop(ambiguous, None)
    return names


def aliases_file() -> Path:
    return Path(__file__).with_name("aliases.csv")


def build(entities: dict[str, dict], facilities: dict[str, dict]) -> Gazetteer:
    """The gazetteer of a registry (entities and facilities by id)."""
    g = Gazetteer()
    first_words: dict[str, set[str]] = {}
    for eid, ent in sorted(entities.items()):
        for variant in name_variants(ent["name"] or ""):
            g.add("entity", eid, variant)
        words = fold_words(re.sub(r"\(.*?\)", "", ent["name"] or ""))
        if words and len(words[0]) >= 4 and words[0] not in GENERIC | NAME_PLACES:
            first_words.setdefault(words[0], set()).add(eid)
        if re.fullmatch(r"[a-z]{4,}", eid) and eid not in GENERIC:
            g.add("entity", eid, eid.upper() if len(eid) <= 4 else eid.capitalize())
    with open(aliases_file(), newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["id"] in entities:
                g.add("entity", row["id"], row["alias"], curated=True)
    countries = country_names()
    for fid, fac in sorted(facilities.items()):
        for variant in facility_variants(fac["name"] or ""):
            if " ".join(fold_words(variant)) not in g.names:
                g.add("facility", fid, variant)
    for fac in sorted(facilities.values(), key=lambda f: f["id"]):
        for fld in ("city", "region"):
            for place in _places(fac.get(fld)):
                if place not in countries:
                    g.add("city", place, place)
                    g.place_country.setdefault(place, fac["country"])
    for name, iso3 in countries.items():
        g.add("country", iso3, name)
    for demonym, iso3 in DEMONYMS.items():
        g.add("demonym", iso3, demonym)
    # A company's distinctive first word ("Huayou") names it, unless it names a place
    # ("Novosibirsk Chemical Concentrates Plant") or something else already.
    for word, ids in sorted(first_words.items()):
        if len(ids) == 1 and word not in g.names:
            g.add("entity", next(iter(ids)), word.capitalize())
    return g


def _places(text: str | None) -> list[str]:
    """Place names in a registry city/region cell: "Novosibirsk (near Tolmachevo)" ->
    ["Novosibirsk"]; "Salar de Uyuni (south); Pastos Grandes" -> both."""
    out = []
    for part in re.split(r"[;/]", re.sub(r"\(.*?\)", "", text or "")):
        part = part.strip(" ,")
        part = re.sub(r"\s+(Oblast|Province|district|County|Prefecture|Region|Krai)$", "",
                      part, flags=re.I)
        if part and part[0].isupper() and len(part) > 2:
            out.append(part)
    return out
