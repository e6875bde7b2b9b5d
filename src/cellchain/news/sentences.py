"""Sentence splitting with character offsets into the article text.

Rule-based and deterministic: a sentence ends at ``.``, ``!`` or ``?`` followed by space
and a capital, digit or quote, or at a line break (unless the line is wrapped
mid-sentence); abbreviations (``Inc.``, ``U.S.``,
``Dec.``), initials (``K. Komarov``) and decimals (``1.5``) do not end one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ABBREVIATIONS = frozenset([
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "inc", "ltd", "co", "corp",
    "llc", "plc", "jsc", "pjsc", "ojsc", "bros", "no", "nos", "vs", "etc", "approx",
    "est", "dept", "gov", "govt", "sen", "rep", "gen", "col", "lt", "sgt", "fig", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon",
    "tue", "wed", "thu", "fri", "sat", "sun", "e.g", "i.e", "u.s", "u.k", "u.n", "e.u",
    "a.m", "p.m", "ave", "blvd", "mt", "ft", "km", "kg"
])

_END = re.compile(r"[.!?]+[\"'\u201d\u2019)]*(?=\s+[\"'\u201c\u2018(]?[A-Z0-9\u0400-\u04ff])")


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``text == article_text[start:end]``."""

    start: int
    end: int
    text: str


#: A line that stops mid-sentence: it ends in a comma, an opening bracket, a hyphen or a
#: small word.
_OPEN_END = re.compile(r"(?:[,;(\u2013-]|\b(?:a|an|the|of|in|at|on|for|and|or|to|with|by|"
                       r"from|its|their))[ \t]*$")


def split(text: str) -> list[Sentence]:
    """The sentences of ``text``, each with its offsets [characters]. A line break ends a
    sentence, unless the line is plainly wrapped mid-sentence (it stops on a comma or a
    small word, or the next line starts in lower case)."""
    out: list[Sentence] = []
    start = 0
    lines = text.split("\n")
    pos = 0
    for i, line in enumerate(lines[:-1]):
        end = pos + len(line)
        nxt = lines[i + 1].lstrip()
        wrapped = bool(line.strip()) and bool(nxt) and (
            nxt[0].islower() or bool(_OPEN_END.search(line)))
        if not wrapped:
            _split_line(text, start, end, out)
            start = end + 1
        pos = end + 1
    _split_line(text, start, len(text), out)
    return out


def _split_line(text: str, lo: int, hi: int, out: list[Sentence]) -> None:
    start = lo
    for m in _END.finditer(text, lo, hi):
        if m.group().startswith(".") and _is_abbreviation(text, start, m.start()):
            continue
        _add(text, start, m.end(), out)
        start = m.end()
    _add(text, start, hi, out)


def _is_abbreviation(text: str, start: int, dot: int) -> bool:
    """Whether the word before the full stop at ``dot`` is an abbreviation or initial."""
    word = re.search(r"([\w.]+)$", text[start:dot])
    if not word:
        return False
    w = word.group(1).lower().rstrip(".")
    if w in ABBREVIATIONS:
        return True
    # a single capital letter (an initial), or dotted capitals like U.S
    return bool(re.fullmatch(r"[A-Z](\.[A-Z])*", word.group(1).rstrip(".")))


def _add(text: str, start: int, end: int, out: list[Sentence]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, text[start:end]))
