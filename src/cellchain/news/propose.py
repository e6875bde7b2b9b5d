"""From an article's sentences to proposed registry changes, each with its sentence.

For every sentence that is not spam: find the names in it (gazetteer), decide which plant
it is about (a registry facility linked to a named company and place, a new plant, or the
plant the previous sentences were about when the sentence says "the plant" or "it"), read
its modality and event, its numbers, its ownership and supply phrases, and turn them into
:class:`Proposal` objects. Whether the registry already says the same is added by
:mod:`cellchain.news.compare`.
"""

from __future__ import annotations

import re

from cellchain.news import modality as mod_
from cellchain.news import numbers, sentences
from cellchain.news import relations as rel
from cellchain.news.read import Article
from cellchain.news.records import Proposal, Target, known
from cellchain.news.view import RegistryView, slug

KINDS = ("new_facility", "status_change", "owner_change", "capacity", "jobs", "capex",
         "supply_link", "new_entity")

SPAM = re.compile(
    r"work(ing)? (from|at) home|earn(ed|ing|s)?\s+(up to\s+)?[$€£]|\bmade\s+[$€£]|"
    r"[$€£]\s?[\d,]+\s*(a|per|every)\s+(hour|day|week|month)|click (here|the link|this)|"
    r"https?://|www\.|whats\s?app|telegram|\bcrypto|bitcoin|forex|make money|extra income|"
    r"my (aunt|uncle|friend|neighbou?r|cousin|sister|brother|mom|dad)|\bDM me\b|"
    r"visit my|check out my|home-based|online job|\bsign up\b", re.I)
PLANT = re.compile(r"\b(plants?|factory|factories|gigafactory|gigafactories|giga-factory|"
                   r"facility|facilities|works|site|project|production lines?|lines?|mines?|"
                   r"refinery|refineries|complex|hub)\b", re.I)
#: Words that put a sentence inside the battery chain, by stage.
STAGE_WORDS = (
    ("cells", re.compile(r"\b(cells?|batter(y|ies)|gigafactory|energy[- ]storage|"
                         r"accumulators?|GWh)\b", re.I)),
    ("materials", re.compile(r"\b(cathode|anode|precursor|pCAM|active material)\b", re.I)),
    ("refining", re.compile(r"\b(lithium (carbonate|hydroxide|chemicals?|extraction|"
                            r"processing)|refin\w+|DLE|direct lithium extraction|"
                            r"conversion|sulph?ate)\b", re.I)),
    ("mining", re.compile(r"\b(mine|mining|spodumene|ore|deposit|brine)\b", re.I)),
)
#: Cell and cathode chemistries an article may name [registry chemistry ids].
CHEMISTRY_WORDS = (("LFP", re.compile(r"\bLFP\b|lithium[- ]iron[- ]phosphate", re.I)),
                   ("LMFP", re.compile(r"\bLMFP\b|lithium[- ]manganese[- ]iron[- ]phosphate",
                                       re.I)),
                   ("NMC", re.compile(r"\bN[CM]M\d*\b|nickel[- ]manganese[- ]cobalt", re.I)),
                   ("NCA", re.compile(r"\bNCA\b|nickel[- ]cobalt[- ]alumin", re.I)),
                   ("sodium_ion", re.compile(r"sodium[- ]ion", re.I)))
STAGE_PRODUCTS = {"cells": "cells", "materials": "cathode", "refining": "lithium_chemicals",
                  "mining": "lithium"}
STAGE_NOUNS = {"cells": "battery cell plant", "materials": "battery materials plant",
               "refining": "lithium chemicals plant", "mining": "mine"}
REFERENCE = re.compile(r"^(its?|they|there)\b|\b(the|this|that|its) ([\w-]+ ){0,2}(plant|"
                       r"factory|gigafactory|facility|site|project|works|line|cells|"
                       r"batteries|output|production)\b|\bthe (\w+ )?(company|firm|group|"
                       r"investor|operator)\b", re.I)
#: Words that say a plant is another one than those the company has ("a second plant").
ANOTHER = re.compile(r"\b(a|its) (second|third|fourth|fifth|another|further) (battery |cell )?"
                     r"(plant|factory|gigafactory|facility)|\banother (plant|factory|gigafactory)",
                     re.I)
#: Words before a place name that make it the plant's location ("a plant in Bolivia").
LOCATED = re.compile(r"\b(in|at|near|outside)\s+(the\s+)?$", re.I)



def is_spam(sentence: str) -> bool:
    """Whether a sentence is spam or a come-on (money earned at home, links, contacts)."""
    return bool(SPAM.search(sentence))


def stage_of(text: str) -> str | None:
    """The value-chain stage a sentence speaks of, from its words (None if none)."""
    for stage, pattern in STAGE_WORDS:
        if pattern.search(text):
            return stage
    return None


class ArticleReader:
    """Reads one article sentence by sentence, keeping the plant in focus."""

    def __init__(self, article: Article, view: RegistryView):
        self.article = article
        self.view = view
        self.focus: Target | None = None
        self.published = numbers.parse_date(article.published)
        self.new_targets: dict[str, Target] = {}
        #: new plants by (operator, stage, country)
        self.new_plants: dict[tuple, Target] = {}
        self.proposals: list[Proposal] = []

    def run(self) -> list[Proposal]:
        for s in sentences.split(self.article.text):
            if is_spam(s.text):
                continue
            self._sentence(s)
        return self.proposals

    # ---- one sentence ----
    def _sentence(self, s: sentences.Sentence) -> None:
        view = self.view
        mentions = view.gaz.find(self.article.text, s.start, s.end)
        ents = [m for m in mentions if m.kind == "entity"]
        places = [m for m in mentions if m.kind in ("city", "country")]
        mod = mod_.modality(s.text)
        stage = stage_of(s.text)
        has_plant = bool(PLANT.search(s.text))
        quantities = numbers.quantities(s.text, s.start)
        new_companies = rel.new_companies(self.view, s)
        target = None
        figures = any(q.kind != "date" for q in quantities)
        about_plant = has_plant or mod_.event(s.text, mod) is not None or figures
        named = [m for m in mentions if m.kind == "facility"]
        if named and not ANOTHER.search(s.text):
            fac = view.facilities[named[0].ref]
            target = Target(named[0].ref, "facility", fac["name"], True, named[0].score,
                            fac["country"], fac["city"], fac["stage"], fac["operator"])
        elif about_plant and (ents or places) and (stage or ents):
            if not ANOTHER.search(s.text):
                target = self._match_facility(s, ents, places, stage,
                                              unique=not (has_plant or stage))
            if target is None:
                target = self._new_facility(s, ents, places, stage, mod, new_companies)
        inherited = False
        if target is None and self.focus is not None:
            holding = bool(rel.JOINT_VENTURE.search(s.text) or rel.STAKE.search(s.text)
                           or rel.TAKEOVER.search(s.text))
            by_name = any(e.ref in (self.focus.operator, self.focus.id) for e in ents) and (
                has_plant or stage or quantities or holding)
            by_reference = bool(REFERENCE.search(s.text)) and (has_plant or stage or figures)
            # a figure with no new company or place continues the plant in focus
            continuing = figures and bool(stage) and not ents and all(
                m.ref in (self.focus.city, self.focus.country)
                or m.country == self.focus.country for m in places)
            if by_name or by_reference or continuing:
                target, inherited = self.focus, True
        if target is None:
            company = rel.owned_entity(self.view, s, ents)
            if company is not None:  # a holding between companies: owners only
                rel.owners(s, ents, company, self._adder(s, company, mod, "medium"))
            return
        self.focus = target
        conf = self._confidence(target, mod, inherited)
        date = self._date(quantities, mod)
        stated = any(q.kind == "date" for q in quantities)
        props: list[Proposal] = []

        add = self._adder(s, target, mod, conf, props)

        if not target.matched and not any(t is target for t in self.new_targets.values()):
            self.new_targets[target.id] = target
            add("new_facility", "facility", target.name, None, date,
                {"stage": target.stage, "country": target.country, "city": target.city,
                 "operator": target.operator})
        ev = mod_.event(s.text, mod)
        status = mod_.status_for(mod, ev)
        # a planned start of production or construction is a date plan, not a status
        if status and not (mod == "plan" and ev in ("operating", "construction")):
            add("status_change", "status", status, None, date,
                {"event": ev}, "low" if mod == "speculation" else conf)
        for q in quantities:
            if q.kind == "capacity":
                basis = ("nameplate" if mod == "fact" and ev == "operating" else
                         "planned" if mod in ("fact", "plan") else "target")
                # the year the capacity applies to is the one stated, never the
                # article's publication date
                stated_dates = [d.value for d in quantities if d.kind == "date"]
                year = self._year_near(quantities, q) or (
                    max(stated_dates, key=len)[:4] if stated_dates else None)
                add("capacity", "capacity", q.value, q.unit, year,
                    {"basis": basis, "qualifier": q.qualifier, "text": q.text})
            elif q.kind == "jobs":
                add("jobs", "jobs", int(q.value), "jobs", date or self.published,
                    {"qualifier": q.qualifier, "text": q.text})
            elif q.kind == "capex":
                p_detail = {"qualifier": q.qualifier, "text": q.text}
                add("capex", "capex_musd" if q.unit == "million USD" else "capex", q.value,
                    q.unit, date, p_detail)
                if q.unit != "million USD":
                    props[-1].writable = False  # no exchange rate is assumed
        rel.owners(s, ents, target, add)
        rel.co_builders(s, ents, target, [n for n, _ in new_companies], add)
        rel.supply(self.view, s, ents, target, add)
        for p in props:
            if p.date is not None and p.kind != "capacity":
                p.detail.setdefault("date_from", "sentence" if stated else "published")
        for name, country in new_companies:
            eid = slug(name)
            if eid in view.entities or eid in self.new_targets:
                continue
            ent = Target(eid, "entity", name, False, None, country)
            self.new_targets[eid] = ent
            props.append(Proposal("new_entity", ent, "entity", name, None, date, mod, s.text,
                                  s.start, s.end, conf, {"country": country}))
        for p in props:
            self._keep(p)
        if not target.matched:
            self._note_chemistry(target, s.text)

    def _note_chemistry(self, target: Target, text: str) -> None:
        """Chemistries named in a sentence about a new plant go on its proposal."""
        named = [chem for chem, pattern in CHEMISTRY_WORDS if pattern.search(text)]
        if not named:
            return
        for p in self.proposals:
            if p.target is target and p.kind == "new_facility":
                have = p.detail.get("chemistry") or []
                p.detail["chemistry"] = have + [c for c in named if c not in have]

    def _keep(self, p: Proposal) -> None:
        """Add a proposal, or where an earlier sentence proposed the same change, keep the
        one told in the longer sentence (a headline repeats the body more briefly)."""
        key = (p.kind, p.target.id, p.field, str(p.value), p.detail.get("owned"),
               p.detail.get("customer"), p.unit)
        for i, q in enumerate(self.proposals):
            if (q.kind, q.target.id, q.field, str(q.value), q.detail.get("owned"),
                    q.detail.get("customer"), q.unit) == key:
                if (len(p.sentence), known(p)) > (len(q.sentence), known(q)):
                    self.proposals[i] = p
                return
        self.proposals.append(p)

    # ---- targets ----
    def _adder(self, s, target: Target, mod: str, conf: str, props: list | None = None):
        """A function adding a proposal about ``target`` from sentence ``s`` to ``props``
        (default: straight to the article's proposals)."""

        def add(kind, fld, value, unit=None, when=None, detail=None, confidence=conf):
            p = Proposal(kind, target, fld, value, unit, when, mod, s.text, s.start, s.end,
                         confidence, detail or {})
            if props is None:
                self._keep(p)
            else:
                props.append(p)

        return add

    def _match_facility(self, s, ents, places, stage, unique=False) -> Target | None:
        """The registry plant linked to a named company, in the place and stage named.

        With ``unique`` (the sentence names no plant and no stage), only a company's single
        plant in the place named counts. Score [0-1]: 0.5 x the company name's match score,
        +0.05 per further named company linked to the plant, +0.3 when a named city is the
        plant's, +0.1 when a named country is (+0.1 more when written as its location, "in
        Bolivia"), +0.1 when the stage is named; +0.05 when the company is the operator.
        """
        view = self.view
        text = self.article.text
        cities = {m.ref for m in places if m.kind == "city"}
        countries = {m.ref for m in places if m.kind == "country"} | {
            m.country for m in places if m.kind == "city" and m.country}
        located = {m.ref if m.kind == "country" else m.country for m in places
                   if LOCATED.search(text[max(0, m.start - 12):m.start])}
        best = None
        candidates = 0
        for fid, linked in view.linked.items():
            named = [e for e in ents if e.ref in linked]
            if not named:
                continue
            fac = view.facilities[fid]
            if countries and fac["country"] not in countries:
                continue
            if stage and fac["stage"] != stage:
                continue
            fac_places = " ".join(filter(None, (fac["city"], fac["region"], fac["name"])))
            city_hit = any(c.lower() in fac_places.lower() for c in cities)
            if cities and not city_hit and not (countries - {
                    m.country for m in places if m.kind == "city"}):
                continue
            if not cities and not countries:
                # a company named without a place: only its single plant of the stage
                same = [f for e in named for f in view.operated.get(e.ref, [])
                        if not stage or view.facilities[f]["stage"] == stage]
                if same != [fid]:
                    continue
            score = (0.5 * max(e.score for e in named)
                     + 0.05 * (len({e.ref for e in named}) - 1)
                     + (0.3 if city_hit else 0.0)
                     + (0.1 if fac["country"] in countries else 0.0)
                     + (0.1 if fac["country"] in located else 0.0)
                     + (0.1 if stage else 0.0)
                     + (0.05 if any(e.ref == fac["operator"] for e in named) else 0.0))
            candidates += 1
            if best is None or score > best[0] or (score == best[0] and fid < best[1]):
                best = (score, fid)
        if best is None or (unique and candidates > 1):
            # without a word for a plant, a company's news is about one of its plants
            # only when it has just one there
            return None
        fac = view.facilities[best[1]]
        return Target(best[1], "facility", fac["name"], True, round(min(best[0], 1.0), 3),
                      fac["country"], fac["city"], fac["stage"], fac["operator"])

    def _new_facility(self, s, ents, places, stage, mod, new_companies) -> Target | None:
        """A plant the registry lacks: needs an operator, a country and a stage."""
        if stage is None or mod_.event(s.text, mod) is None:
            return None
        operator = ents[0].ref if ents else None
        op_name = ents[0].text if ents else None
        if operator is None and new_companies:
            op_name = new_companies[0][0]
            operator = slug(op_name)
        countries = [m.ref for m in places if m.kind == "country"]
        city_m = [m for m in places if m.kind == "city"]
        city = city_m[0].ref if city_m else self._unknown_city(s)
        country = countries[0] if countries else (city_m[0].country if city_m else None)
        if operator is None or country is None:
            return None
        place = city or self._country_name(country)
        fid = f"{operator}-{slug(place)}"
        if fid in self.view.facilities:
            fac = self.view.facilities[fid]
            return Target(fid, "facility", fac["name"], True, 0.9, fac["country"],
                          fac["city"], fac["stage"], fac["operator"])
        name = f"{op_name} {STAGE_NOUNS[stage]} ({place})"
        same = self.new_plants.get((operator, stage, country))
        if same is not None:
            if city and same.city is None:
                # a headline said "in Spain", the body names the town: one plant
                same.id, same.name, same.city = fid, name, city
                for p in self.proposals:
                    if p.target is same and p.kind == "new_facility":
                        p.value = name
                        p.detail["city"] = city
                        p.sentence, p.start, p.end = s.text, s.start, s.end
            return same
        target = Target(fid, "facility", name, False, None, country, city, stage, operator)
        self.new_plants[(operator, stage, country)] = target
        return target

    def _unknown_city(self, s) -> str | None:
        """A place the gazetteer does not know: "in Navalmoral de la Mata in Spain's ..."."""
        m = re.search(r"\b(?:in|at|near)\s+((?:[A-Z][\w'-]+)(?:\s+(?:de|la|del|do|da|di|le|"
                      r"sur|am|an|der|[A-Z][\w'-]+)){0,4})(?=\s*(?:,|in|near|\()\s)", s.text)
        if not m:
            return None
        words = m.group(1)
        country_names = self.view.gaz.names
        if " ".join(w.lower() for w in words.split()) in country_names:
            return None
        return words

    def _country_name(self, iso3: str) -> str:
        import pycountry

        c = pycountry.countries.get(alpha_3=iso3)
        return getattr(c, "common_name", None) or (c.name if c else iso3)

    def _confidence(self, target: Target, mod: str, inherited: bool) -> str:
        if mod in ("speculation", "negated"):
            return "low"
        if not target.matched:
            return "medium" if mod in ("fact", "plan") else "low"
        if (target.score or 0) >= 0.8 and mod in ("fact", "plan") and not inherited:
            return "high"
        return "medium" if mod != "considering" or (target.score or 0) >= 0.8 else "low"

    def _date(self, quantities, mod) -> str | None:
        """The most precise date the sentence states; for a statement of fact without
        one, the article's publication date (the proposal's ``date_from`` says which)."""
        dates = [q.value for q in quantities if q.kind == "date"]
        if dates:
            return max(dates, key=len)
        return self.published if mod == "fact" else None

    @staticmethod
    def _year_near(quantities, q) -> str | None:
        """The year written after a capacity figure ("20 GWh by 2027"), else None."""
        later = [d for d in quantities if d.kind == "date" and d.start > q.start]
        return later[0].value[:4] if later else None
