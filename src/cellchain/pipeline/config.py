"""Completion probabilities and expected delays per status: the pipeline's assumptions.

Every default below is an **assumption**, not a sourced figure; ``docs/pipeline.md`` says
how each was chosen and what published ratios it is checked against (IEA: over 9 TWh of
cell capacity announced for 2030, about 70 % of it operating or committed; ICCT: 2030
announced capacity covers 99 % of EU and 130 % of US demand, operating plus
under-construction 72 % and 103 %; E2: US cancellations outran announcements in 2025).
Users override any of them: ``--probability announced=0.3`` on the command line, or a
YAML file::

    probability: {announced: 0.3, considered: 0.05}
    delay: {announced: 2}
    stale: {shelved_after: 2, cancelled_after: 4}

validated with pydantic (``extra="forbid"``), so a misspelt key is an error that names it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cellchain import nomenclature as nom
from cellchain.errors import InvalidInputError

#: The registry year the pipeline starts from: statuses are read as of 31 Dec of this year
#: and capacity not operating by then is pending [calendar year]. The registry was last
#: read in late 2026. (One place: :mod:`cellchain.nomenclature`.)
AS_OF = nom.AS_OF
#: The last year the pipeline answers for [calendar year].
HORIZON = nom.HORIZON

#: Statuses a project can be in while it is still pending. ``committed`` (financed, final
#: investment decision, not yet building) is accepted here although no registry row uses
#: it yet; ``shelved`` is what an announced, committed or considered project becomes after
#: :attr:`Stale.shelved_after` years without news (Global Energy Monitor's convention).
#: ``closed`` and ``cancelled`` projects are out of the pipeline altogether.
WEIGHTED_STATUSES = ("operating", "construction", "committed", "announced", "considered",
                     "idle", "shelved")
#: Statuses that no longer count, in announced capacity or anywhere else.
OUT_STATUSES = ("closed", "cancelled")
#: Statuses counted in the low band: built, or being built.
LOW_BAND_STATUSES = ("operating", "construction", "committed")
#: Statuses the stale-project rule applies to (pre-construction).
STALE_STATUSES = ("committed", "announced", "considered")

#: Default completion probability per status [0-1]. ASSUMPTIONS; see docs/pipeline.md.
DEFAULT_PROBABILITY = {
    "operating": 1.0,
    "construction": 0.9,
    "committed": 0.8,
    "announced": 0.4,
    "considered": 0.15,
    "idle": 0.25,
    "shelved": 0.05,
}
#: Default expected delay per status, added to the announced start year [years].
#: ASSUMPTIONS; see docs/pipeline.md.
DEFAULT_DELAY = {
    "operating": 0.0,
    "construction": 1.0,
    "committed": 1.0,
    "announced": 2.0,
    "considered": 2.0,
    "idle": 1.0,
    "shelved": 3.0,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Probabilities(_Strict):
    """Completion probability per status [0-1]."""

    operating: float = Field(DEFAULT_PROBABILITY["operating"], ge=0, le=1)
    construction: float = Field(DEFAULT_PROBABILITY["construction"], ge=0, le=1)
    committed: float = Field(DEFAULT_PROBABILITY["committed"], ge=0, le=1)
    announced: float = Field(DEFAULT_PROBABILITY["announced"], ge=0, le=1)
    considered: float = Field(DEFAULT_PROBABILITY["considered"], ge=0, le=1)
    idle: float = Field(DEFAULT_PROBABILITY["idle"], ge=0, le=1)
    shelved: float = Field(DEFAULT_PROBABILITY["shelved"], ge=0, le=1)


class Delays(_Strict):
    """Expected delay per status [years, >= 0; fractions spread the capacity over two
    years]."""

    operating: float = Field(DEFAULT_DELAY["operating"], ge=0, le=20)
    construction: float = Field(DEFAULT_DELAY["construction"], ge=0, le=20)
    committed: float = Field(DEFAULT_DELAY["committed"], ge=0, le=20)
    announced: float = Field(DEFAULT_DELAY["announced"], ge=0, le=20)
    considered: float = Field(DEFAULT_DELAY["considered"], ge=0, le=20)
    idle: float = Field(DEFAULT_DELAY["idle"], ge=0, le=20)
    shelved: float = Field(DEFAULT_DELAY["shelved"], ge=0, le=20)


class Stale(_Strict):
    """Global Energy Monitor's convention for projects without news: shelved after 2
    years, cancelled after 4 [years since the latest dated status]."""

    shelved_after: float = Field(2.0, gt=0, le=50)
    cancelled_after: float = Field(4.0, gt=0, le=50)

    @model_validator(mode="after")
    def _ordered(self):
        if self.cancelled_after < self.shelved_after:
            raise ValueError("cancelled_after must be at least shelved_after")
        return self


class PipelineConfig(_Strict):
    """All the pipeline's assumptions; every field has a labelled default."""

    probability: Probabilities = Probabilities()
    delay: Delays = Delays()
    stale: Stale = Stale()
    as_of: int = Field(AS_OF, ge=2000, le=HORIZON)

    def p(self, status: str) -> float:
        """Completion probability of a status [0-1]; 0 for closed or cancelled."""
        return 0.0 if status in OUT_STATUSES else float(getattr(self.probability, status))

    def d(self, status: str) -> float:
        """Expected delay of a status [years]."""
        return 0.0 if status in OUT_STATUSES else float(getattr(self.delay, status))

    def is_default(self) -> bool:
        return self == PipelineConfig()


def _path(loc) -> str:
    return ".".join(str(p) for p in loc)


def from_dict(data, source: str = "<config>") -> PipelineConfig:
    """Validate a configuration given as parsed YAML; errors name ``source`` and the key."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidInputError(f"{source}: expected a mapping with probability, delay, "
                                "stale", "See docs/pipeline.md.")
    try:
        return PipelineConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InvalidInputError(f"{source}: {_path(err['loc']) or '(top level)'}: "
                                f"{err['msg']}",
                                f"Statuses: {', '.join(WEIGHTED_STATUSES)}; "
                                "see docs/pipeline.md.") from None


#: Largest configuration file read [bytes].
MAX_BYTES = 64 * 1024


def load(path: Path | str) -> PipelineConfig:
    """Read a YAML configuration file (at most :data:`MAX_BYTES`)."""
    import yaml

    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InvalidInputError(f"{path}: {size} bytes is over the {MAX_BYTES}-byte "
                                    "limit for a pipeline configuration.")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"Cannot read {path}: {exc}.",
                                "Give a readable UTF-8 YAML file.") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInputError(f"{path}: not valid YAML ({str(exc).splitlines()[0]}).",
                                "See docs/pipeline.md for the format.") from None
    return from_dict(data, str(path))


def parse_overrides(items: list[str] | tuple[str, ...], kind: str = "probability") -> dict:
    """``["announced=0.3", "considered=0.1"]`` -> ``{"announced": 0.3, ...}``."""
    out: dict[str, float] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InvalidInputError(f"--{kind} {item!r} is not STATUS=VALUE.",
                                    f"For example --{kind} announced=0.3.")
        if key not in WEIGHTED_STATUSES:
            from cellchain.errors import unknown

            raise unknown(f"{kind} status", key, WEIGHTED_STATUSES)
        try:
            out[key] = float(value)
        except ValueError:
            raise InvalidInputError(f"--{kind} {item!r}: {value!r} is not a number.",
                                    f"For example --{kind} {key}=0.3.") from None
    return out


def build(path: Path | str | None = None, probability: list[str] | None = None,
          delay: list[str] | None = None) -> PipelineConfig:
    """A configuration: defaults, then a YAML file, then command-line overrides."""
    base = load(path) if path is not None else PipelineConfig()
    data = base.model_dump()
    data["probability"].update(parse_overrides(probability or [], "probability"))
    data["delay"].update(parse_overrides(delay or [], "delay"))
    return from_dict(data, "command line")
