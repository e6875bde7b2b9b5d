"""Numbers with units in a sentence: plant capacity, investment, jobs and dates.

Only numbers that are facts about plants are kept. A GWh figure is cell capacity [GWh/yr]
(a kWh figure is a battery pack, a GW figure is power, and GWh sold or installed are
demand, not capacity); tonnes a year of a named lithium chemical are refining capacity;
an amount of money is capital expenditure only beside a word for investment, never a fine,
a price, a salary or money earned; a count of people is jobs only beside a word for
employment; a year is a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
SCALE = {"thousand": 1e3, "million": 1e6, "mln": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9,
         "bn": 1e9, "b": 1e9, "trillion": 1e12, "k": 1e3}
CURRENCIES = {"$": "USD", "us$": "USD", "usd": "USD", "dollars": "USD", "€": "EUR",
              "eur": "EUR", "euros": "EUR", "euro": "EUR", "£": "GBP", "rub": "RUB",
              "roubles": "RUB", "rubles": "RUB", "yuan": "CNY", "rmb": "CNY", "cny": "CNY",
              "won": "KRW", "yen": "JPY", "¥": "CNY"}
WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "twenty": 20, "fifty": 50, "hundred": 100}

NUM = r"(?P<num>\d{1,3}(?:[,\s]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
SCALE_WORD = r"(?:\s*(?P<scale>thousand|million|mln|mn|billion|bn|trillion|m|b|k)\b)?"
QUALIFIER = re.compile(r"(about|around|approximately|roughly|nearly|almost|some|up to|"
                       r"more than|over|at least|as many as|less than|under|close to)\s*$",
                       re.I)

CAPACITY = re.compile(NUM + r"\s*(?:-|\s)?\s*(?P<unit>GWh|gigawatt[- ]hours?|MWh|"
                      r"megawatt[- ]hours?)\b", re.I)
TONNES = re.compile(NUM + SCALE_WORD + r"\s*(?:-|\s)?\s*(?P<unit>tonnes|tons|tonne|ton|t|kt)"
                    r"\b(?P<rest>[^.;]{0,60})", re.I)
CHEMICALS = [(re.compile(r"lithium carbonate|li2co3", re.I), "t/yr Li2CO3"),
             (re.compile(r"lithium hydroxide|lioh", re.I), "t/yr LiOH"),
             (re.compile(r"\bLCE\b|lithium carbonate equivalent", re.I), "t/yr LCE"),
             (re.compile(r"lithium metal|metallic lithium", re.I), "t/yr Li"),
             (re.compile(r"nickel sulph?ate", re.I), "t/yr NiSO4"),
             (re.compile(r"cobalt sulph?ate", re.I), "t/yr CoSO4"),
             (re.compile(r"cathode|anode|precursor|graphite", re.I), "t/yr")]
MONEY = re.compile(r"(?P<cur>US\$|\$|€|£|¥|USD|EUR|RUB|RMB|CNY)\s?" + NUM + SCALE_WORD
                   + r"|" + NUM.replace("num", "num2") + SCALE_WORD.replace("scale", "scale2")
                   + r"\s*(?P<cur2>dollars|euros?|roubles|rubles|yuan|won|yen|USD|EUR|RUB|"
                   r"CNY|RMB)\b", re.I)
PEOPLE = re.compile(NUM + r"(?P<new>\s+new)?\s+(?P<what>(?:direct\s+|permanent\s+|full-time\s+)?"
                    r"(?:jobs|workers|employees|people|staff|positions|workplaces))\b", re.I)
YEAR = re.compile(r"(?<![\d,.$€£])\b(?P<year>19[6-9]\d|20[0-4]\d)\b(?!\d|,\d|\s*(?:tonnes|"
                  r"tons|GWh|MWh|jobs|workers|people|employees|%|per))")
FULL_DATE = re.compile(
    r"\b(?:(?P<d1>\d{1,2})\s+(?P<m1>[A-Z][a-z]{2,8})\.?,?\s+(?P<y1>(?:19|20)\d\d)|"
    r"(?P<m2>[A-Z][a-z]{2,8})\.?\s+(?P<d2>\d{1,2}),?\s+(?P<y2>(?:19|20)\d\d)|"
    r"(?P<iso>(?:19|20)\d\d-\d\d-\d\d)|"
    r"(?P<m3>[A-Z][a-z]{2,8})\.?\s+(?P<y3>(?:19|20)\d\d))\b")

#: Words that make money something other than an investment in a plant.
NOT_CAPEX = re.compile(r"\b(fine[sd]?|penalt|price[sd]?|cost(s)? per|per (tonne|ton|kwh|month|"
                       r"week|day|hour)|a (month|week|day)|salar|wage|earn|made|make|income|"
                       r"revenue|sales|profit|loss|market (value|cap)|valuation|bonus|debt|"
                       r"lawsuit|damages|paid|pay|tax|subsid|grant|loan|dividend|bought|"
                       r"acquired|acquisition|sold|deal worth)", re.I)
CAPEX_WORDS = re.compile(r"\b(invest\w*|capex|(at a|total) cost of|costing|"
                         r"capital (expenditure|spending)|cost(s|ing)? of "
                         r"(building|construction)|will cost|to build|to construct|build(ing)? "
                         r"cost|construction cost|spend(ing)?|worth of construction)", re.I)
JOBS_WORDS = re.compile(r"\b(employ\w*|jobs?|hir(e|ed|ing)|workforce|staff(ed)?|create[sd]?|"
                        r"creating|work(ing)? at|workers at|employees at)\b", re.I)
NOT_JOBS = re.compile(r"\b(laid off|lay off|layoffs?|cut|cuts|fired|redundan|attend\w*|"
                      r"protest\w*|killed|injured|visitors|signed|petition|home)\b", re.I)
DEMAND_WORDS = re.compile(r"\b(sold|sales|installed|installations|demand|shipped|shipments|"
                          r"consum\w*|market|deployed|imported|exported|worldwide|global)\b",
                          re.I)


@dataclass(frozen=True)
class Quantity:
    """A number found in a sentence: kind (capacity, capex, jobs or date), value in
    ``unit``, offsets [characters, into the article], the text and a qualifier such as
    "about" or "up to"."""

    kind: str
    value: float | str
    unit: str
    start: int
    end: int
    text: str
    qualifier: str | None = None


def number(text: str, scale: str | None = None) -> float:
    """``"1,300"`` -> 1300.0; ``("1.1", "billion")`` -> 1.1e9."""
    value = float(re.sub(r"[,\s]", "", text))
    return value * SCALE.get((scale or "").lower(), 1.0)


def quantities(sentence: str, offset: int = 0) -> list[Quantity]:
    """Every plant-relevant number in ``sentence`` (offsets shifted by ``offset``)."""
    found: list[Quantity] = []
    used: list[tuple[int, int]] = []

    def add(q: Quantity, lo: int, hi: int) -> None:
        if any(lo < b and a < hi for a, b in used):
            return
        used.append((lo, hi))
        found.append(q)

    for m in FULL_DATE.finditer(sentence):
        iso = _date(m)
        if iso:
            add(Quantity("date", iso, "date", offset + m.start(), offset + m.end(),
                         m.group()), m.start(), m.end())
    for m in MONEY.finditer(sentence):
        cur = (m.group("cur") or m.group("cur2") or "").lower()
        num = m.group("num") or m.group("num2")
        scale = m.group("scale") or m.group("scale2")
        context = sentence[max(0, m.start() - 60):m.end() + 40]
        lo, hi = m.start(), m.end()
        used.append((lo, hi))  # money is never a year, capacity or head count
        if NOT_CAPEX.search(context) or not CAPEX_WORDS.search(sentence):
            continue
        value = number(num, scale) / 1e6
        currency = CURRENCIES.get(cur, cur.upper())
        found.append(Quantity("capex", value, f"million {currency}", offset + lo, offset + hi,
                              m.group(), _qualifier(sentence, lo)))
    for m in CAPACITY.finditer(sentence):
        unit = m.group("unit").lower()
        value = number(m.group("num"))
        if unit.startswith(("mwh", "megawatt")):
            value /= 1000.0
        after = sentence[m.end():m.end() + 40]
        if DEMAND_WORDS.search(sentence) and not re.search(
                r"\b(capacity|plant|factory|gigafactory|facility|line|produce|production)\b",
                sentence, re.I):
            continue
        if re.match(r"\s*(of\s+)?(batteries\s+)?(were\s+|was\s+)?(sold|installed|shipped)",
                    after, re.I):
            continue
        add(Quantity("capacity", value, "GWh/yr", offset + m.start(), offset + m.end(),
                     m.group(), _qualifier(sentence, m.start())), m.start(), m.end())
    for m in TONNES.finditer(sentence):
        rest = m.group("rest")
        before = sentence[max(0, m.start() - 12):m.start()]
        if re.search(r"(\$|€|£|per|a)\s*$", before, re.I) or re.match(r"\s*of\s+(ore|rock)",
                                                                         rest, re.I):
            continue
        unit = next((u for pat, u in CHEMICALS if pat.search(rest)), None)
        annual = re.search(r"\b(a|per|each|every)\s+year\b|annual|/yr|capacity", rest + " "
                           + sentence, re.I)
        if unit is None or not annual:
            continue
        value = number(m.group("num"), m.group("scale"))
        if m.group("unit").lower() == "kt":
            value *= 1000
        end = m.start("rest")
        add(Quantity("capacity", value, unit, offset + m.start(), offset + end,
                     sentence[m.start():end], _qualifier(sentence, m.start())),
            m.start(), end)
    for m in PEOPLE.finditer(sentence):
        what = m.group("what").lower()
        window = sentence[max(0, m.start() - 80):m.end() + 60]
        if NOT_JOBS.search(window):
            continue
        if "job" not in what and "position" not in what and "workplace" not in what \
                and not JOBS_WORDS.search(window):
            continue
        add(Quantity("jobs", number(m.group("num")), "jobs", offset + m.start(),
                     offset + m.end(), m.group(), _qualifier(sentence, m.start())),
            m.start(), m.end())
    for m in YEAR.finditer(sentence):
        add(Quantity("date", m.group("year"), "date", offset + m.start(), offset + m.end(),
                     m.group()), m.start(), m.end())
    return sorted(found, key=lambda q: q.start)


def _qualifier(sentence: str, start: int) -> str | None:
    m = QUALIFIER.search(sentence[max(0, start - 25):start])
    return m.group(1).lower() if m else None


def _date(m: re.Match) -> str | None:
    """ISO form (YYYY-MM-DD or YYYY-MM) of a date match, or None if the month is not one."""
    if m.group("iso"):
        return m.group("iso")
    for d, mon, y in (("d1", "m1", "y1"), ("d2", "m2", "y2"), (None, "m3", "y3")):
        if m.group(mon):
            month = MONTHS.get(m.group(mon).lower().rstrip("."))
            if month is None:
                return None
            if d is None:
                return f"{m.group(y)}-{month:02d}"
            day = int(m.group(d))
            if not 1 <= day <= 31:
                return None
            return f"{m.group(y)}-{month:02d}-{day:02d}"
    return None


def parse_date(text: str | None) -> str | None:
    """A publication date as written ("2024-07-08T10:00", "8 July 2024") in ISO form."""
    if not text:
        return None
    m = re.match(r"\s*((?:19|20)\d\d-\d\d-\d\d)", text)
    if m:
        return m.group(1)
    m = FULL_DATE.search(text)
    return _date(m) if m else None
