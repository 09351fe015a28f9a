"""The damage coefficients: read from YAML, checked, and converted to the report's currency.

Every value carries its source; an unreadable or incomplete file is refused with every problem
listed, before any figure is computed.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from exporters.errors import CoefficientError
from exporters.figures.languages import CONTENT_TYPES

BANDS = ("low", "central", "high")


class Sourced(BaseModel):
    """A number and where it comes from."""

    value: float = Field(gt=0)
    source: str = Field(min_length=1)


class Price(BaseModel):
    """A unit price in some currency, and where it comes from."""

    amount: float = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    source: str = Field(min_length=1)


class Rate(BaseModel):
    """Units of the report currency for one unit of another currency."""

    rate: float = Field(gt=0)
    source: str = Field(min_length=1)


class Ranged(BaseModel):
    """A fraction with its range: low, central, high, and where it comes from."""

    low: float = Field(ge=0, le=1)
    central: float = Field(ge=0, le=1)
    high: float = Field(ge=0, le=1)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Ranged:
        if not self.low <= self.central <= self.high:
            raise ValueError("low <= central <= high must hold")
        return self

    def get(self, band: str) -> float:
        value: float = getattr(self, band)
        return value


class Displacement(Ranged):
    """Lost sales per read-for-free value: low, central, high; and, per audience country, rates of its own."""

    #: ISO 3166-1 alpha-2 countries whose audience a study measured apart (the rest: the rates above)
    by_country: dict[str, Ranged] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _countries(self) -> Displacement:
        bad = sorted(k for k in self.by_country if not (len(k) == 2 and k.isascii() and k.isalpha() and k.isupper()))
        if bad:
            raise ValueError(f"by_country: not ISO 3166-1 alpha-2 codes: {', '.join(bad)}")
        return self

    def rates_for(self, country: str) -> Ranged:
        return self.by_country.get(country, self)


#: Used when a coefficients file gives no fallback share: every visit counts, as before the share existed.
DEFAULT_SHARE_FALLBACK = Ranged(
    low=1.0, central=1.0, high=1.0, source="piratewatch's default: every visit counts (the file gives no fallback)"
)


class ContentCoefficients(BaseModel):
    """The coefficients of one content type."""

    unit: str = Field(min_length=1)
    minutes_per_visit: Sourced
    minutes_per_unit: Sourced
    #: ``default`` and optional ISO 3166-1 alpha-2 countries
    unit_price: dict[str, Price]
    displacement: Displacement

    @model_validator(mode="after")
    def _has_default(self) -> ContentCoefficients:
        if "default" not in self.unit_price:
            raise ValueError("unit_price: a `default` price is needed")
        return self


class Coefficients(BaseModel):
    """The whole file."""

    currency: str = Field(pattern=r"^[A-Z]{3}$")
    price_year: int = Field(ge=1990, le=2100)
    exchange_rates: dict[str, Rate]
    content_types: dict[str, ContentCoefficients]
    #: the share of a site's visits that concern the associations' works when its catalogue share is unknown
    content_share_fallback: Ranged = DEFAULT_SHARE_FALLBACK

    @model_validator(mode="after")
    def _complete(self) -> Coefficients:
        problems = []
        missing = sorted(CONTENT_TYPES - set(self.content_types))
        if missing:
            problems.append(f"content_types: no coefficients for {', '.join(missing)}")
        for name, content in self.content_types.items():
            for where, price in content.unit_price.items():
                if price.currency != self.currency and price.currency not in self.exchange_rates:
                    problems.append(f"content_types.{name}.unit_price.{where}: no exchange rate for {price.currency}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def price(self, content_type: str, country: str) -> float:
        """The unit price of `content_type` for an audience in `country`, in the report currency."""
        prices = self.content_types[content_type].unit_price
        price = prices.get(country) or prices["default"]
        return price.amount * self.rate(price.currency)

    def displacement(self, content_type: str, country: str) -> Ranged:
        """The displacement rates of `content_type` for an audience in `country`."""
        return self.content_types[content_type].displacement.rates_for(country)

    def rate(self, currency: str) -> float:
        """Report-currency units per unit of `currency`."""
        if currency == self.currency:
            return 1.0
        return self.exchange_rates[currency].rate


def default_path() -> Path:
    """The coefficients shipped with piratewatch."""
    return Path(str(resources.files("exporters.reports").joinpath("coefficients.yaml")))


def load_coefficients(path: Path | None = None) -> Coefficients:
    """Read and check the coefficients at `path` (the shipped file when None)."""
    path = path or default_path()
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise CoefficientError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        raise CoefficientError(f"{path}: not valid YAML ({exc})") from exc
    try:
        return Coefficients.model_validate(data)
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in exc.errors()]
        raise CoefficientError(f"{path}: " + "; ".join(problems)) from exc
