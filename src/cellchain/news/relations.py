"""Relations a sentence states between companies and plants: who owns what (joint
ventures, stakes, takeovers), who supplies whom, and companies the registry lacks."""

from __future__ import annotations

import re

from cellchain.news.gazetteer import DEMONYMS
from cellchain.news.records import Target
from cellchain.news.view import RegistryView
from cellchain.news.view import slug as slug_of

JOINT_VENTURE = re.compile(r"joint venture|\bJV\b|joint company|partnership", re.I)
STAKE = re.compile(r"(?P<share>\d{1,3}(?:\.\d+)?)\s*(?:%|per ?cent)(?:\s+(?:stake|share|"
                   r"interest|holding))?\s+(?:in|of)\b", re.I)
TAKEOVER = re.compile(r"\b(acquired|bought|took over|takes over|buys|acquires|"
                      r"took control of|became the (sole|100%) owner of)\b", re.I)
SUPPLY_FROM = re.compile(r"\b(?P<product>[a-z][a-z -]{2,40}?)\s+(?:will\s+)?(?:come|comes|came|"
                         r"coming)?\s*(?:from|supplied by|sourced from|delivered by|"
                         r"provided by)\s+(?:the\s+)?$", re.I)
SUPPLY_TO = re.compile(r"\b(supply|supplies|supplied|supplying|deliver|delivers|delivered|"
                       r"provide|provides|provided)\b", re.I)
NEW_COMPANY = re.compile(
    r"\b(?P<demonym>" + "|".join(sorted(DEMONYMS, key=len, reverse=True)) + r")\s+"
    r"(?:battery\s+|cell\s+|lithium\s+|"
    r"energy\s+|engineering\s+|construction\s+|state\s+|car\s+)?(?:company|firm|group|maker|"
    r"manufacturer|producer|miner|start-?up|conglomerate|utility|carmaker|automaker)\s+"
    r"(?P<name>[A-Z][\w&.-]+(?:\s+[A-Z][\w&.-]+){0,3})")
#: "A and B will build ...": two companies building a plant together.
CO_BUILDERS = re.compile(r"^(?P<subject>.+?)\s+(?:will|plan to|are to|agreed to|are set to)\s+"
                         r"(?:jointly\s+)?(?:build|set up|construct|develop)\b", re.I)
GENERIC_STARTS = re.compile(r"^(The|This|That|It|Its|In|On|At|And|But|A|An)\b")


def owned_entity(view: RegistryView, s, ents) -> Target | None:
    """For "A holds 50% of B" or "A acquired B" about companies: B, the entity."""
    if len({e.ref for e in ents}) < 2:
        return None
    m = STAKE.search(s.text) or TAKEOVER.search(s.text)
    if not m:
        return None
    after = [e for e in ents if e.start >= s.start + m.end()]
    if not after:
        return None
    ent = view.entities[after[0].ref]
    return Target(after[0].ref, "entity", ent["name"], True, after[0].score,
                  ent["country"])


def new_companies(view: RegistryView, s) -> list[tuple[str, str]]:
    """Companies the registry lacks, named with their nationality ("the Spanish company
    Acciona"): ``[(name, ISO3)]``."""
    out = []
    for m in NEW_COMPANY.finditer(s.text):
        country = DEMONYMS.get(m.group("demonym"))
        name = m.group("name").rstrip(".")
        if country is None or GENERIC_STARTS.match(name):
            continue
        found = view.gaz.find(name)
        if found and found[0].kind == "entity":
            continue
        out.append((name, country))
    return out


def co_builders(s, ents, target: Target, new_names: list[str], add) -> None:
    """Companies named together as building a new plant ("The Spanish company Acciona
    and the Chinese group Envision will build ...") are its owners, shares unknown."""
    m = CO_BUILDERS.match(s.text)
    if m is None or target.matched or target.kind != "facility" or " and " not in m.group(
            "subject"):
        return
    hi = s.start + m.end("subject")
    named = [(e.ref, e.text, e.score) for e in ents if e.start < hi]
    named += [(slug_of(n), n, None) for n in new_names if n in m.group("subject")]
    if len(named) < 2:
        return
    for ref, text, score in named:
        add("owner_change", "owner", ref, None, None,
            {"owner_name": text, "owned": target.id, "share": None, "match_score": score})


def owners(s, ents, target: Target, add) -> None:
    """Owner changes in a sentence: joint-venture partners, stated stakes, takeovers;
    each passed to ``add``. A joint venture's equity is held in its operating company."""
    text = s.text
    jv = JOINT_VENTURE.search(text)
    owned = target.id
    if target.kind == "entity" and not target.matched:
        return  # a new company: its owners are not read
    if target.matched and target.kind == "facility" and target.operator:
        owned = target.operator  # the registry models JV equity at the operator
    if jv:
        clause_end = re.search(r"[,;.]| from | and (opened|will|is|has)|$",
                               text[jv.end():])
        hi = s.start + jv.end() + (clause_end.start() if clause_end else len(text))
        lo = s.start + jv.start() - 60
        partners = [m for m in ents if lo <= m.start < hi and m.ref != owned
                    and m.ref != target.operator]
        equal = re.search(r"50[/:-]50|equal (stakes|shares|parts)", text, re.I)
        for p in partners:
            share = 1.0 / len(partners) if equal and partners else None
            add("owner_change", "owner", p.ref, None, None,
                {"owner_name": p.text, "owned": owned, "share": share,
                 "match_score": p.score})
    for m in STAKE.finditer(text):
        before = [e for e in ents if e.end <= s.start + m.start()]
        if not before:
            continue
        owner = before[-1]
        after = [e for e in ents if e.start >= s.start + m.end()]
        held = after[0].ref if after else owned
        if owner.ref == held:
            continue
        add("owner_change", "owner", owner.ref, None, None,
            {"owner_name": owner.text, "owned": held,
             "share": float(m.group("share")) / 100, "match_score": owner.score})
    t = TAKEOVER.search(text)
    if t:
        before = [e for e in ents if e.end <= s.start + t.start()]
        after = [e for e in ents if e.start >= s.start + t.end()]
        if before and after and before[-1].ref != after[0].ref:
            full = re.search(r"100 ?%|full control|all of|sole owner|wholly", text, re.I)
            add("owner_change", "owner", before[-1].ref, None, None,
                {"owner_name": before[-1].text, "owned": after[0].ref,
                 "share": 1.0 if full else None, "match_score": before[-1].score})


def supply(view: RegistryView, s, ents, target: Target, add) -> None:
    """Supply links in a sentence: "lithium from NCCP" (NCCP supplies the target) and
    "A delivers ... to B"; each passed to ``add``."""
    text = s.text
    for e in ents:
        head = text[:e.start - s.start]
        m = SUPPLY_FROM.search(head)
        if m and e.ref not in (target.operator, target.id):
            product = m.group("product").strip()
            product = re.sub(r"^(with|and|its|the|while)\s+", "", product, flags=re.I)
            product = re.sub(r"\s+(for|to|of)\s+.*$", "", product)
            supplier = supplier_site(view, e.ref)
            add("supply_link", "supplier", supplier, None, None,
                {"supplier_name": e.text, "customer": target.id, "product": product,
                 "match_score": e.score})
    m = SUPPLY_TO.search(text)
    if m:
        before = [e for e in ents if e.end <= s.start + m.start()]
        to = re.search(r"\bto\b", text[m.end():])
        after = [e for e in ents if to and e.start >= s.start + m.end() + to.end()]
        if before:
            seller = before[-1].ref
            supplier = (target.id if seller in (target.operator, target.id)
                        else supplier_site(view, seller))
            customer = after[0].ref if after else target.id
            if supplier != customer and customer != target.operator:
                add("supply_link", "supplier", supplier, None, None,
                    {"supplier_name": before[-1].text, "customer": customer,
                     "product": None, "match_score": before[-1].score})


def supplier_site(view: RegistryView, entity_id: str) -> str:
    """An entity's plant when it runs exactly one, else the entity itself."""
    sites = view.operated.get(entity_id, [])
    return sites[0] if len(sites) == 1 else entity_id
