"""How sure a sentence is, and what happened to a plant in it.

Modality (checked in this order, the first that applies wins):

- ``negated``: the event is denied or ruled out ("has no plans to", "denied", "will not");
- ``considering``: the company weighs it ("exploring the possibility", "considering",
  "studying", "in talks", "not ruling out");
- ``speculation``: someone else guesses ("reportedly", "analysts say", "could", "might");
- ``plan``: decided and in the future ("will", "plans to", "announced", "is set to");
- ``fact``: it happened or is happening (past tense, "is building", "operates").

Each modality maps honestly to a registry status (:func:`status_for`): someone exploring
the possibility of a factory makes it ``considered``, never ``construction``.
"""

from __future__ import annotations

import re

MODALITIES = ("fact", "plan", "considering", "speculation", "negated")

_NEGATED = re.compile(
    r"\b(has|have|had) no plans?\b|\bno (longer )?plans? to\b|\bdenied\b|\bdenies\b|"
    r"\b(will|would|did|does|do|is|was|has|have) not\b|\b(won't|didn't|doesn't|isn't|wasn't|"
    r"hasn't|haven't)\b|\bruled out\b|\brules out\b|\bnever\b|\brejected (the |a )?"
    r"(plan|idea|report)|\bdropped (the |its )?plans?\b|\bnot (be )?(build|open|invest)", re.I)
_NOT_RULING_OUT = re.compile(r"\bnot rul(e|ing) out\b|\bdoes not exclude\b|"
                             r"\bnot excluding\b|\bdid not rule out\b", re.I)
_CONSIDERING = re.compile(
    r"\bexplor\w*|\bconsider\w*|\bstudy(ing)?\b|\bstudies\b|\bevaluat\w*|\bin talks\b|"
    r"\bnegotiat\w*|\bfeasibility\b|\bpossibility\b|\blooking (at|into)\b|\bweigh(s|ing)\b|"
    r"\bmay (build|set up|open|construct|invest)\b|\bpossible\b|\bpotential\b", re.I)
_SPECULATION = re.compile(
    r"\breportedly\b|\brumou?r\w*|\banalysts? (say|said|expect\w*|believe\w*|think)|"
    r"\bspeculat\w*|\bsources (said|say)\b|\bpeople familiar\b|\bcould\b|\bmight\b|"
    r"\bwould likely\b|\bunconfirmed\b|\bit is said\b", re.I)
_PLAN = re.compile(
    r"\bwill\b|\bplans?\b|\bplanned\b|\bplanning\b|\bintends?\b|\baims? to\b|"
    r"\bexpects? to\b|\bexpected to\b|\b(is|are) (set|due|scheduled|to be)\b|\bannounced\b|"
    r"\bunveiled\b|\bagreed to\b|\bagreement to\b|\bsigned (an? |the )?(agreement|contract|"
    r"deal|memorandum)\b|\bto (build|open|start|begin|construct)\b|\bshall\b|\bpledged\b",
    re.I)

#: (status, pattern) for the event a sentence reports; the first that matches wins.
EVENTS = (
    ("closed", re.compile(r"\b(closed|closes|shut down|shuts down|ceased (production|"
                          r"operations)|bankrupt\w*|liquidat\w*|demolish\w*|scrapped|"
                          r"cancel+ed|abandoned)\b", re.I)),
    ("idle", re.compile(r"\b(halted|halts|suspended|suspends|paused|idled|mothballed|"
                        r"stopped (production|work))\b", re.I)),
    ("operating", re.compile(
        r"\b(opened|opens|inaugurat\w*|launched|(started|began|begun|starts|begins|"
        r"restarted|resumed) (\w+ )?(serial |mass |commercial |trial )?(production|"
        r"operations?|operating|manufacturing|"
        r"making|output)|commissioned|came on stream|in operation|rolled off|first "
        r"(cells|batteries) (came|rolled)|now produces|is operating|opening)\b", re.I)),
    ("construction", re.compile(
        r"\b(broke ground|breaks ground|ground-?breaking|(began|begun|started|begins|"
        r"starts) (building|construction|to build)|under construction|is building|are "
        r"building|is being built|construction (began|started|is under way|of the)|laid "
        r"the (first|foundation) stone|first stone|building (a|the|its))\b", re.I)),
    ("announced", re.compile(r"\b(announced|unveiled|signed|agreed|selected|chose|picked)\b",
                             re.I)),
)
#: Words that report a plant as intended when the sentence is not a statement of fact.
_INTENDED = re.compile(r"\b(build\w*|construct\w*|set up|setting up|establish\w*|open|"
                       r"develop\w*)\b", re.I)
_PLANT_NOUN = re.compile(r"\b(plant|factory|gigafactory|facility)\b", re.I)


def modality(sentence: str) -> str:
    """The modality of a sentence (see the module docstring)."""
    if _NOT_RULING_OUT.search(sentence):
        return "considering"
    if _NEGATED.search(sentence):
        return "negated"
    if _CONSIDERING.search(sentence):
        return "considering"
    if _SPECULATION.search(sentence):
        return "speculation"
    if _PLAN.search(sentence):
        return "plan"
    return "fact"


def event(sentence: str, mod: str = "fact") -> str | None:
    """The status a sentence reports for a plant, read from its verbs (None if none); a
    sentence that is not a statement of fact and speaks of building a plant (or, when
    weighed or denied, of a plant at all) reports one as intended (``announced``)."""
    for status, pattern in EVENTS:
        if pattern.search(sentence):
            return status
    if mod != "fact" and _INTENDED.search(sentence):
        return "announced"
    if mod in ("considering", "negated") and _PLANT_NOUN.search(sentence):
        return "announced"
    return None


def status_for(mod: str, ev: str | None) -> str | None:
    """The registry status a (modality, event) pair supports.

    fact -> the event itself; plan -> ``announced`` (a future opening or construction
    start is a plan, not a state), except a planned closure or halt; considering and
    speculation -> ``considered``; negated -> the denied event (recorded, never applied).
    """
    if ev is None:
        return None
    if mod == "fact":
        return ev
    if mod == "plan":
        return ev if ev in ("closed", "idle") else "announced"
    if mod in ("considering", "speculation"):
        return "considered"
    return ev
