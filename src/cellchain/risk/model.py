"""The disruption model as data: a YAML file validated before anything runs.

```yaml
countries:
  from_governance: {p_min: 0.005, p_max: 0.05, severity: 0.5}   # every producing country
  overrides:
    CHN: {probability: 0.03, severity: 0.4, products: [anode]}
events:                        # common shocks: one draw strikes every listed country
  - {name: ..., probability: 0.1, severity: 0.3, countries: [CHN, bloc:covered_nations],
     products: [anode]}
owners:                        # sanctions through the ownership graph
  - {entity: rosatom, probability: 0.05, severity: 1.0}
facilities:                    # plant outages
  outage_rate: 0.02
  severity: 0.5
  overrides: {liotech-novosibirsk: 0.1}
```

Probabilities are per year [0-1]; severity is the fraction of the affected output lost in
a draw that strikes [0-1]. ``products`` are the model's products
(:data:`cellchain.network.products.PRODUCTS`) or ``all``. The shipped default is
``default_model.yaml`` beside this module; its calibration is in ``docs/risk.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from cellchain.errors import InvalidInputError, TooLargeError

DEFAULT_MODEL = Path(__file__).with_name("default_model.yaml")
MAX_BYTES = 256 * 1024

Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False, strict=True)]
Severity = Annotated[float, Field(gt=0.0, le=1.0, allow_inf_nan=False, strict=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Governance(_Strict):
    """Every producing country's probability from its WGI political instability g [0-1]:
    p = p_min + (p_max - p_min) * g."""

    p_min: Probability = 0.005
    p_max: Probability = 0.05
    severity: Severity = 0.5


class CountryRisk(_Strict):
    probability: Probability
    severity: Severity = 0.5
    products: list[str] | Literal["all"] = "all"


class Event(_Strict):
    """A common shock: one draw strikes every listed country (``bloc:NAME`` for a bloc)."""

    name: str = Field(min_length=1, max_length=200)
    probability: Probability
    severity: Severity
    countries: list[str] = Field(min_length=1)
    products: list[str] | Literal["all"] = "all"
    source_url: str | None = None


class OwnerRisk(_Strict):
    """A sanction on an entity: strikes every plant it owns 50 % or more of."""

    entity: str
    probability: Probability
    severity: Severity = 1.0


class FacilityRisk(_Strict):
    outage_rate: Probability = 0.0
    severity: Severity = 0.5
    overrides: dict[str, Probability] = Field(default_factory=dict)


class Countries(_Strict):
    """Independent country shocks: from governance for every producing country (or
    ``from_governance: null`` for none), with per-country overrides."""

    from_governance: Governance | None = Field(default_factory=Governance)
    overrides: dict[str, CountryRisk] = Field(default_factory=dict)


class DisruptionModel(_Strict):
    countries: Countries = Field(default_factory=Countries)
    events: list[Event] = Field(default_factory=list)
    owners: list[OwnerRisk] = Field(default_factory=list)
    facilities: FacilityRisk = Field(default_factory=FacilityRisk)


def _key_path(loc) -> str:
    out = ""
    for part in loc:
        if str(part).startswith(("list[", "literal[")):
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def parse(data, source: str = "<model>") -> DisruptionModel:
    """Validate a disruption model given as parsed YAML; errors name the key path."""
    if not isinstance(data, dict):
        raise InvalidInputError(f"{source}: (top level): expected a mapping with countries, "
                                "events, owners, facilities.", "See docs/risk.md.")
    try:
        model = DisruptionModel.model_validate(data)
    except PydanticError as exc:
        err = exc.errors()[0]
        raise InvalidInputError(f"{source}: {_key_path(err['loc'])}: {err['msg']}.",
                                "See docs/risk.md for the keys and their ranges.") from None
    return model


def load_model(path=None) -> DisruptionModel:
    """Read a disruption model YAML file (at most 256 KiB, read without trusting the
    reported size); the shipped default when ``path`` is None."""
    import yaml

    p = Path(path) if path is not None else DEFAULT_MODEL
    if not p.is_file():
        raise InvalidInputError(f"Disruption model {p} is not a readable file.",
                                "Give the path of a YAML file (see docs/risk.md).")
    try:
        with p.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InvalidInputError(f"Cannot read {p}: {exc.strerror}.", "Check the path.") from None
    if len(raw) > MAX_BYTES:
        raise TooLargeError(f"{p}: more than {MAX_BYTES} bytes.",
                            "A disruption model is a short YAML file.")
    try:
        data = yaml.safe_load(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidInputError(f"{p}: not a UTF-8 text file.", "Save it as UTF-8.") from None
    except (yaml.YAMLError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(parse)"
        raise InvalidInputError(f"{p}: {where}: not valid YAML.",
                                "Fix the indentation or quoting.") from None
    return parse(data, str(p))
