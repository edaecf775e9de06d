"""Load and validate the versioned price table (pricing/*.toml) and put it into the store.

Prices are data: this module only reads, checks and tabulates them. All cost arithmetic happens in
one SQL view (finops/sql/priced_usage.sql).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol, get_args

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from finops import db
from finops.errors import PriceFileError

# Rate buckets, USD per 1M tokens of the matching DISJOINT usage column (input → input_uncached, audio_in →
# audio_in, ...): audio input and output are priced apart from text where a provider does (migration 0006).
BUCKETS = ("input", "cache_read", "cache_write_5m", "cache_write_1h", "output", "audio_in", "audio_out")
CACHE_BUCKETS = ("cache_read", "cache_write_5m", "cache_write_1h")  # linted as multiples of input
# service tiers a rule can name (`standard` is the period's own rates). latency_optimized: Bedrock's
# performanceConfig.latency = "optimized" (AWS Bedrock user guide, latency-optimized-inference)
ServiceTier = Literal["batch", "flex", "priority", "scale", "fast", "latency_optimized"]
ServiceTierOrStandard = Literal["standard", "batch", "flex", "priority", "scale", "fast", "latency_optimized"]
SERVICE_TIERS: tuple[str, ...] = get_args(ServiceTier)
ALL_TIERS = ("standard", *SERVICE_TIERS)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # ISO 1..7
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _all_days() -> list[Weekday]:
    return ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


DAY = 86_400
PLATFORM_ROUTES = {"bedrock": ("global", "regional")}  # routes read from the logged id (resolved_usage.sql)
OPEN_END = datetime(2200, 1, 1, tzinfo=UTC)
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)
MAX_PROMPT = 1 << 62
RATE_SCALE = 6  # decimal places kept for a per-1M-token rate (the store's DECIMAL(18, 6))
TABLE_FORMAT = "rate-card-3"  # part of the digest: bump when the way files become store rows changes
FEES = ("web_search",)  # per-request fees, USD per 1,000 requests of usage.<fee>es (web_search → web_searches)


def _rate(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        d = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a decimal number: {value!r}") from None
    if not d.is_finite() or d < 0:
        raise ValueError(f"must be a finite, non-negative decimal: {value!r}")
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > RATE_SCALE:
        raise ValueError(f"more than {RATE_SCALE} decimal places: {value!r}")
    return value


def _aware(value: datetime) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError("must be a TOML offset datetime such as 2025-06-10T00:00:00Z")
    if value.tzinfo is None:
        raise ValueError(f"{value.isoformat()} has no time zone: write it as an offset datetime (…Z)")
    return value.astimezone(UTC)


def _factor(value: str | None) -> str | None:
    if value is None:
        return None
    _rate(value)
    d = Decimal(value)
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > 4:
        raise ValueError(f"a factor has at most 4 decimal places: {value!r}")
    if d >= 100_000:
        raise ValueError(f"factor too large: {value!r}")
    return value


def _clock(value: str) -> int:
    """'HH:MM' (or 'HH:MM:SS', or '24:00' as an end) → seconds after local midnight."""
    parts = value.strip().split(":")
    if len(parts) not in (2, 3) or not all(x.isdigit() and len(x) == 2 for x in parts):
        raise ValueError(f"time {value!r}: expected HH:MM")
    h, m = int(parts[0]), int(parts[1])
    sec = int(parts[2]) if len(parts) == 3 else 0
    if m > 59 or sec > 59 or h > 24 or (h == 24 and (m or sec)):
        raise ValueError(f"time {value!r} is not a clock time")
    return h * 3600 + m * 60 + sec


Rate = Annotated[str | None, Field(default=None)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Rates(_Strict):
    input: Rate = None
    cache_read: Rate = None
    cache_write_5m: Rate = None
    cache_write_1h: Rate = None
    output: Rate = None
    audio_in: Rate = None  # uncached audio prompt tokens (OpenAI, Gemini: dearer than text)
    audio_out: Rate = None  # audio output tokens

    @field_validator(*BUCKETS)
    @classmethod
    def _check_rate(cls, v: str | None) -> str | None:
        return _rate(v)

    def as_decimals(self) -> dict[str, Decimal | None]:
        return {b: (None if getattr(self, b) is None else Decimal(getattr(self, b))) for b in BUCKETS}


class Tier(Rates):
    above: int = Field(gt=0)


class Window(Rates):
    """Time-of-day / weekday prices inside a period, in the provider's own time zone (DeepSeek)."""

    tz: str
    times: list[str]
    weekdays: list[Weekday] = Field(default_factory=_all_days)
    start: datetime | None = Field(default=None, alias="from")
    end: datetime | None = Field(default=None, alias="to")
    factor: str | None = None
    name: str | None = None
    source: str | None = None
    confidence: Literal["A", "B", "C"] | None = None
    note: str | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _tz(cls, v: Any) -> Any:
        return None if v is None else _aware(v)

    @field_validator("factor")
    @classmethod
    def _check_factor(cls, v: str | None) -> str | None:
        return _factor(v)

    @field_validator("tz")
    @classmethod
    def _check_zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(v)
        except Exception:
            raise ValueError(f"unknown time zone {v!r} (use an IANA name such as Asia/Shanghai or UTC)") from None
        return v

    @field_validator("times")
    @classmethod
    def _check_times(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("at least one 'HH:MM-HH:MM' range")
        for t in v:
            a, sep, b = t.partition("-")
            if not sep:
                raise ValueError(f"time range {t!r}: expected 'HH:MM-HH:MM'")
            if _clock(a) >= DAY or _clock(a) == _clock(b):
                raise ValueError(f"time range {t!r} is empty or starts at 24:00")
        return v

    def segments(self) -> list[tuple[int, int, int]]:
        """(ISO-weekday bitmask, start second, end second) in local time; a range that ends at or before
        its start runs past midnight, its tail falling on the next local day."""
        days = [WEEKDAYS.index(d) for d in self.weekdays]
        out = []
        for t in self.times:
            a, _, b = t.partition("-")
            lo, hi = _clock(a), _clock(b)
            if hi > lo:
                out.append((_mask(days), lo, hi))
            else:
                out.append((_mask(days), lo, DAY))
                if hi > 0:
                    out.append((_mask([(d + 1) % 7 for d in days]), 0, hi))
        return out


def _mask(days: Iterable[int]) -> int:
    return sum(1 << d for d in set(days))


class CacheException(_Strict):
    """A published cache rate that is not one of the provider's usual multiples of input (Anthropic's
    rounded Haiku 3 prices, Opus 5.5's 0.05x reads). It names the bucket, the exact rate it acknowledges,
    a source and a reason, so `prices check` stays quiet for that one rate and still warns if the rate
    changes or another bucket drifts."""

    bucket: Literal["cache_read", "cache_write_5m", "cache_write_1h"]
    rate: str
    source: str
    reason: str = Field(min_length=1)

    @field_validator("rate")
    @classmethod
    def _check_rate(cls, v: str) -> str:
        _rate(v)
        return v


class Period(Rates):
    start: datetime = Field(alias="from")
    end: datetime | None = Field(default=None, alias="to")
    source: str
    confidence: Literal["A", "B", "C"]
    note: str | None = None
    start_verified: bool = True  # false: 'from' is a placeholder (launch day unknown); shown as such
    tiers: list[Tier] = Field(default_factory=list)
    windows: list[Window] = Field(default_factory=list)
    cache_exceptions: list[CacheException] = Field(default_factory=list)  # lint only: documented odd rates

    @field_validator("start", "end", mode="before")
    @classmethod
    def _tz(cls, v: Any) -> Any:
        return None if v is None else _aware(v)

    def bands(self) -> list[Rates]:
        """The period's base rates and each long-context tier: every rate a call in it can be priced at
        before windows and modifiers."""
        return [self, *self.tiers]


class ModelEntry(_Strict):
    id: str
    name: str
    match: list[str] = Field(default_factory=list)
    periods: list[Period]
    vendor: str | None = None  # platform files: whose model this is (anthropic, meta, ...)
    route: str | None = None  # platform files: only calls on this route (bedrock: global | regional)
    base: str | None = None  # platform files: the first-party model id it is a copy of (substitutions)


class Alias(_Strict):
    name: str
    target: str
    start: datetime = Field(alias="from")
    end: datetime | None = Field(default=None, alias="to")
    source: str
    note: str | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _tz(cls, v: Any) -> Any:
        return None if v is None else _aware(v)


class BucketFactors(_Strict):
    input: str | None = None
    cache_read: str | None = None
    cache_write_5m: str | None = None
    cache_write_1h: str | None = None
    output: str | None = None
    audio_in: str | None = None
    audio_out: str | None = None

    @field_validator(*BUCKETS)
    @classmethod
    def _check(cls, v: str | None) -> str | None:
        return _factor(v)


class Modifier(Rates):
    """A service-tier rule: a factor on every rate, per-bucket `factors`, and/or explicit rates
    (`input = "..."`, ...; `tiers` for explicit long-context rates). Per bucket: explicit rate, else
    the bucket factor, else `factor`, else 1."""

    service_tier: ServiceTier
    factor: str | None = None
    factors: BucketFactors = Field(default_factory=BucketFactors)
    tiers: list[Tier] = Field(default_factory=list)
    start: datetime = Field(alias="from")
    end: datetime | None = Field(default=None, alias="to")
    models: list[str] = Field(default_factory=lambda: ["*"])
    exclude: list[str] = Field(default_factory=list)  # models a sibling rule of the same tier prices instead
    source: str
    confidence: Literal["A", "B", "C"] = "B"
    note: str | None = None

    @field_validator("factor")
    @classmethod
    def _check_factor(cls, v: str | None) -> str | None:
        return _factor(v)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _tz(cls, v: Any) -> Any:
        return None if v is None else _aware(v)

    def targets(self, ids: Iterable[str]) -> list[str]:
        """The ids this rule prices: `models` minus `exclude`, so a provider-wide rule ("*") can leave a few
        models to their own rule of the same tier without listing every other model."""
        return _targets(self.models, self.exclude, ids)

    def explicit(self) -> bool:
        return any(getattr(self, b) is not None for b in BUCKETS) or bool(self.tiers)

    def bucket_factor(self, bucket: str) -> Decimal:
        f = getattr(self.factors, bucket) or self.factor or "1"
        return Decimal(f)


class Fee(_Strict):
    """Per-request fees (USD per 1,000 requests, e.g. web_search = "10") for some models over a validity: a
    fee is not a token rate, so it has its own rule, source and dates. One rule per model and time."""

    web_search: str | None = None
    start: datetime = Field(alias="from")
    end: datetime | None = Field(default=None, alias="to")
    models: list[str] = Field(default_factory=lambda: ["*"])
    exclude: list[str] = Field(default_factory=list)
    source: str
    confidence: Literal["A", "B", "C"] = "B"
    note: str | None = None

    @field_validator(*FEES)
    @classmethod
    def _check_fee(cls, v: str | None) -> str | None:
        return _rate(v)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _tz(cls, v: Any) -> Any:
        return None if v is None else _aware(v)

    def targets(self, ids: Iterable[str]) -> list[str]:
        return _targets(self.models, self.exclude, ids)

    def as_decimals(self) -> dict[str, Decimal | None]:
        return {f: (None if getattr(self, f) is None else Decimal(getattr(self, f))) for f in FEES}


class Inherit(_Strict):
    """Platform files: this platform bills a vendor's models at the vendor's own list price."""

    provider: str
    models: list[str] = Field(default_factory=lambda: ["*"])
    exclude: list[str] = Field(default_factory=list)
    prefix: str = ""  # names on this platform carry it (OpenRouter: 'x-ai/')
    route: str | None = None
    factor: str | None = None  # the platform's price = vendor list x factor (Bedrock regional: 1.1)
    service_tiers: list[ServiceTier] = Field(default_factory=list)
    start: datetime = Field(alias="from")
    end: datetime | None = Field(default=None, alias="to")
    source: str
    confidence: Literal["A", "B", "C"] = "B"
    note: str | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _tz(cls, v: Any) -> Any:
        return None if v is None else _aware(v)

    @field_validator("factor")
    @classmethod
    def _check_factor(cls, v: str | None) -> str | None:
        return _factor(v)


def _scaled(r: Rates, factor: Decimal) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for b in BUCKETS:
        v = getattr(r, b)
        out[b] = None if v is None else _fmt_rate(Decimal(v) * factor)
    return out


def _fmt_rate(d: Decimal) -> str:
    q = d.quantize(Decimal(1).scaleb(-RATE_SCALE))
    if q != d:
        raise PriceFileError(f"rate {d} has more than {RATE_SCALE} decimal places after a platform factor")
    return format(q.normalize(), "f")


class CacheMultiples(_Strict):
    """Lint only: the usual cache rates as multiples of the input rate (any listed value is accepted)."""

    cache_read: list[str] = Field(default_factory=list)
    cache_write_5m: list[str] = Field(default_factory=list)
    cache_write_1h: list[str] = Field(default_factory=list)


class Source(_Strict):
    url: str | None = None
    title: str | None = None
    note: str | None = None
    retrieved: Any = None


class ProviderFile(_Strict):
    provider: str
    platform: str | None = None  # set: a serving platform's file (bedrock, azure, vertex, openrouter)
    fallback: Literal["first_party", "none"] = "first_party"
    sources: dict[str, Source]
    models: list[ModelEntry] = Field(default_factory=list)
    aliases: list[Alias] = Field(default_factory=list)
    modifiers: list[Modifier] = Field(default_factory=list)
    fees: list[Fee] = Field(default_factory=list)
    inherit: list[Inherit] = Field(default_factory=list)
    cache_multiples: CacheMultiples | None = None


class SubstitutionRule(_Strict):
    models: list[str]
    target: str
    why: str | None = None


class SubstitutionFile(_Strict):
    rules: list[SubstitutionRule]


@dataclass
class PricedModel:
    """A model as the store sees it: a declared model, or a platform's inherited copy of a vendor's model."""

    id: str
    provider: str  # the price file it comes from
    platform: str  # '' = any platform (first-party files); else the platform whose calls it prices
    route: str  # '' = any route
    vendor: str
    entry: ModelEntry
    base: str | None = None  # first-party id (platform models)
    inherited: Inherit | None = None
    names: list[str] = field(default_factory=list)  # exact normalised names (platform-scoped if platform)
    patterns: list[str] = field(default_factory=list)  # prefixes (match entries ending in '*')


@dataclass
class NameRow:
    name: str
    model: str
    start: datetime
    end: datetime
    kind: str  # id | match | alias
    platform: str
    route: str


class PriceTable(BaseModel):
    """The whole validated table: what the loader hands to the store and to `aispend prices`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    directory: Path
    version: str
    digest: str
    providers: dict[str, ProviderFile]
    substitutions: list[SubstitutionRule]
    contract: Contract | None = None
    expanded: list[PricedModel] = Field(default_factory=list)
    name_rows: list[NameRow] = Field(default_factory=list)
    modifier_rows: list[tuple[str, Modifier]] = Field(default_factory=list)
    fee_rows: list[tuple[str, Fee]] = Field(default_factory=list)

    def models(self) -> Iterable[tuple[str, ModelEntry]]:
        """Declared models (what the files say), by file."""
        for provider, pf in sorted(self.providers.items()):
            for m in pf.models:
                yield provider, m

    def priced(self, model_id: str) -> PricedModel | None:
        for pm in self.expanded:
            if pm.id == model_id:
                return pm
        return None

    def model(self, model_id: str) -> tuple[str, ModelEntry] | None:
        pm = self.priced(model_id)
        return None if pm is None else (pm.provider, pm.entry)

    def lookup(self, name: str, platform: str | None = None) -> list[str]:
        """Model ids a (normalised) name can mean: id, exact match, alias target, or pattern. With `platform`
        ('' = first party), names scoped to that platform count too; without it, first-party names, else any
        platform's (for `prices show`)."""
        if platform is None:
            return self.lookup(name, "") or self.lookup(name, "*")
        name = name.lower()
        out: list[str] = []

        def ok(row_platform: str) -> bool:
            return platform == "*" or row_platform in ("", platform)

        for pm in self.expanded:
            if name == pm.id and pm.id not in out and (platform == "*" or pm.platform in ("", platform)):
                out.append(pm.id)
        for r in self.name_rows:
            if r.name == name and ok(r.platform) and r.model not in out:
                out.append(r.model)
        if not out:
            best = ""
            for pm in self.expanded:
                for pat in pm.patterns:
                    if ok(pm.platform) and name.startswith(pat) and len(pat) > len(best):
                        best, out = pat, [pm.id]
        return out

    def modifiers_for(self, model_id: str) -> list[Modifier]:
        return [m for i, m in self.modifier_rows if i == model_id]

    def fees_for(self, model_id: str) -> list[Fee]:
        return [f for i, f in self.fee_rows if i == model_id]

    def substitution_map(self) -> dict[str, str]:
        return substitution_map(self)

    def model_ids(self) -> set[str]:
        """The declared model ids (what the files say)."""
        return {m.id for _p, m in self.models()}


class PriceInfo(Protocol):
    """What reports and scenarios need of the price table: a PriceTable, or a Store holding one
    (finops/store.py), which reads the version and the substitution map from the store without parsing."""

    @property
    def version(self) -> str: ...

    def substitution_map(self) -> dict[str, str]: ...

    def model_ids(self) -> set[str]: ...


# ---------------------------------------------------------------- contracts (user file, layered on list prices)


class ContractRule(Rates):
    """A negotiated discount (percent off list) and/or committed-use rates, for a provider / models / dates."""

    id: str | None = None
    provider: str | None = None
    models: list[str] = Field(default_factory=list)
    start: datetime | None = Field(default=None, alias="from")
    end: datetime | None = Field(default=None, alias="to")
    discount: str | None = None  # percent, e.g. "20" = 20% off list; negative = uplift
    service_tiers: list[ServiceTierOrStandard] | None = None
    note: str | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _tz(cls, v: Any) -> Any:
        return None if v is None else _aware(v)

    @field_validator("discount")
    @classmethod
    def _check_discount(cls, v: str | None) -> str | None:
        if v is None:
            return None
        try:
            d = Decimal(v)
        except InvalidOperation:
            raise ValueError(f"not a decimal percent: {v!r}") from None
        if not d.is_finite() or d > 100 or d <= -100:
            raise ValueError(f"a discount is a percent in (-100, 100]: {v!r}")
        return v

    def has_rates(self) -> bool:
        return any(getattr(self, b) is not None for b in BUCKETS)


class Credit(_Strict):
    amount_per_month: str
    provider: str | None = None
    start: datetime = Field(alias="from")
    end: datetime = Field(alias="to")
    note: str | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _tz(cls, v: Any) -> Any:
        return _aware(v)

    @field_validator("amount_per_month")
    @classmethod
    def _amount(cls, v: str) -> str:
        _rate(v)
        return v


class ContractFile(_Strict):
    name: str | None = None
    currency: Literal["USD"] = "USD"
    note: str | None = None
    rules: list[ContractRule] = Field(default_factory=list)
    credits: list[Credit] = Field(default_factory=list)


@dataclass
class Contract:
    path: Path
    digest: str
    file: ContractFile
    rows: list[tuple[Any, ...]]  # contract_rules rows
    credit_rows: list[tuple[Any, ...]]
    models_by_rule: dict[str, list[str]]


PriceTable.model_rebuild()


# ---------------------------------------------------------------- loading and validation


def default_pricing_dir() -> Path:
    """`$AISPEND_PRICING_DIR`, else the table packaged in the wheel, else the repo's pricing/."""
    env = os.environ.get("AISPEND_PRICING_DIR")
    if env:
        return Path(env).expanduser()
    packaged = Path(str(resources.files("finops"))) / "_pricing"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "pricing"


def _fmt_loc(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
            if isinstance(node, list) and item < len(node):
                node = node[item]
                if isinstance(node, dict) and "id" in node:
                    parts[-1] = f"model '{node['id']}'" if "periods" in node else f"{parts[-1]} '{node['id']}'"
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def _parse(path: Path, model: type[_Strict]) -> Any:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise PriceFileError(f"{path}: not valid TOML: {e}") from e
    try:
        return model.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = _fmt_loc(tuple(first["loc"]), data)
        more = f" (and {e.error_count() - 1} more)" if e.error_count() > 1 else ""
        msg = first["msg"]
        if first["type"] == "float_type" or (first["type"] == "string_type" and isinstance(first.get("input"), float)):
            msg = f"rates are decimal STRINGS, got the float {first.get('input')!r}: write it in quotes"
        elif first["type"] == "string_type" and isinstance(first.get("input"), int):
            msg = f"rates are decimal STRINGS, got the number {first.get('input')!r}: write it in quotes"
        raise PriceFileError(
            f"{path}: {where}: {msg}{more}",
            hint="See pricing/README.md for the schema.",
        ) from e


def _overlaps(intervals: list[tuple[datetime, datetime]]) -> tuple[int, int] | None:
    order = sorted(range(len(intervals)), key=lambda i: intervals[i][0])
    for a, b in itertools.pairwise(order):
        if intervals[b][0] < intervals[a][1]:
            return a, b
    return None


def _check_windows(where: str, p: Period, fail: Any) -> None:
    listed = {b for b in BUCKETS if getattr(p, b) is not None}
    if p.windows and p.tiers:
        fail(f"{where}: a period cannot have both tiers and windows")
    spans = []
    for j, w in enumerate(p.windows):
        wh = f"{where}.windows[{j}]"
        ws, we = w.start or p.start, w.end or p.end or OPEN_END
        if ws < p.start or we > (p.end or OPEN_END) or we <= ws:
            fail(f"{wh}: from/to must lie inside the period and from < to")
        have = {b for b in BUCKETS if getattr(w, b) is not None}
        if w.factor is None and have != listed:
            missing = sorted(listed - have) or sorted(have - listed)
            fail(
                f"{wh}: lists {sorted(have)} but the period lists {sorted(listed)} ({', '.join(missing)}): "
                "give every rate of the period, or a factor"
            )
        if w.factor is not None and have - listed:
            fail(f"{wh}: rate for a bucket the period does not price: {sorted(have - listed)}")
        for seg in w.segments():
            spans.append((j, ws, we, w.tz, seg))
    for (j1, s1, e1, tz1, (m1, a1, b1)), (j2, s2, e2, tz2, (m2, a2, b2)) in itertools.combinations(spans, 2):
        if j1 == j2:
            continue
        if tz1 != tz2:
            if s1 < e2 and s2 < e1:
                fail(f"{where}.windows[{j1}] and [{j2}]: overlapping windows must share one time zone")
            continue
        if s1 < e2 and s2 < e1 and (m1 & m2) and a1 < b2 and a2 < b1:
            fail(f"{where}.windows[{j1}] and windows[{j2}] overlap (same day and time)")


def _check_cache_exceptions(where: str, p: Period, pf: ProviderFile, fail: Any) -> None:
    """An exception must name a known source and a rate the period (or one of its tiers) really prices in
    that bucket: one left behind by a price change would silence nothing and mislead a reader."""
    seen: set[tuple[str, Decimal]] = set()
    for k, x in enumerate(p.cache_exceptions):
        wh = f"{where}.cache_exceptions[{k}]"
        if x.source not in pf.sources:
            fail(f"{wh}.source: unknown source id '{x.source}'")
        key = (x.bucket, Decimal(x.rate))
        if key in seen:
            fail(f"{wh}: {x.bucket} = {x.rate} is acknowledged twice")
        seen.add(key)
        priced = [getattr(r, x.bucket) for r in p.bands() if getattr(r, x.bucket) is not None]
        if Decimal(x.rate) not in {Decimal(v) for v in priced}:
            fail(
                f"{wh}: acknowledges {x.bucket} = {x.rate} but the period prices {x.bucket} at "
                f"{', '.join(priced) or 'nothing'}: update or remove the exception"
            )


def _check_provider(path: Path, pf: ProviderFile, seen_ids: dict[str, str]) -> None:
    def fail(msg: str) -> None:
        raise PriceFileError(f"{path}: {msg}", hint="See pricing/README.md for the schema.")

    if pf.provider != path.stem:
        fail(f"provider = '{pf.provider}' but the file is named {path.name}")
    if pf.platform is None and (pf.inherit or pf.fallback != "first_party"):
        fail("'inherit' and 'fallback' belong to platform files (set platform = ...)")
    for m in pf.models:
        if m.id != m.id.lower() or not m.id.strip():
            fail(f"model '{m.id}': ids are lowercase and non-empty")
        if m.id in seen_ids:
            fail(f"model '{m.id}' is also defined in {seen_ids[m.id]}")
        seen_ids[m.id] = path.name
        if pf.platform is not None and not m.id.startswith(pf.platform + "/"):
            fail(f"model '{m.id}': models of a platform file have ids '{pf.platform}/...'")
        if pf.platform is None and (m.route or m.base):
            fail(f"model '{m.id}': 'route' and 'base' belong to platform files")
        if m.route is not None and m.route not in PLATFORM_ROUTES.get(pf.platform or "", ()):
            fail(f"model '{m.id}'.route: '{m.route}' is not a route of platform '{pf.platform}'")
        if not m.periods:
            fail(f"model '{m.id}': no price periods")
        for pat in m.match:
            if pat != pat.lower() or "*" in pat[:-1]:
                fail(f"model '{m.id}': match '{pat}' must be lowercase with at most one trailing '*'")
        prev_end: datetime | None = None
        for i, p in enumerate(m.periods):
            where = f"model '{m.id}' periods[{i}]"
            if p.source not in pf.sources:
                fail(f"{where}.source: unknown source id '{p.source}'")
            if p.end is not None and p.end <= p.start:
                fail(f"{where}: 'to' ({p.end:%Y-%m-%d}) is not after 'from' ({p.start:%Y-%m-%d})")
            if prev_end is not None and p.start < prev_end:
                fail(f"{where}: overlaps the previous period (starts {p.start.isoformat()})")
            if i + 1 < len(m.periods) and p.end is None:
                fail(f"{where}: an open-ended period must be the last one")
            prev_end = p.end or OPEN_END
            if p.input is None or p.output is None:
                fail(f"{where}: 'input' and 'output' rates are required")
            aboves = [t.above for t in p.tiers]
            if aboves != sorted(set(aboves)):
                fail(f"{where}.tiers: thresholds must be strictly increasing")
            for j, w in enumerate(p.windows):
                if w.source is not None and w.source not in pf.sources:
                    fail(f"{where}.windows[{j}].source: unknown source id '{w.source}'")
            _check_windows(where, p, fail)
            _check_cache_exceptions(where, p, pf, fail)
    ids = {m.id for m in pf.models}
    for i, a in enumerate(pf.aliases):
        if a.source not in pf.sources:
            fail(f"aliases[{i}] '{a.name}': unknown source id '{a.source}'")
        if a.target not in ids:
            fail(f"aliases[{i}] '{a.name}'.target: '{a.target}' is not a model of this file")
        if a.name in ids:
            fail(f"aliases[{i}] '{a.name}' is also a model id")
    by_name: dict[str, list[tuple[datetime, datetime]]] = {}
    for a in pf.aliases:
        by_name.setdefault(a.name, []).append((a.start, a.end or OPEN_END))
    for name, iv in by_name.items():
        if _overlaps(iv):
            fail(f"alias '{name}': validity periods overlap")
    for i, mod in enumerate(pf.modifiers):
        if mod.source not in pf.sources:
            fail(f"modifiers[{i}]: unknown source id '{mod.source}'")
        if mod.factor is None and not mod.explicit() and not any(getattr(mod.factors, b) for b in BUCKETS):
            fail(f"modifiers[{i}] ({mod.service_tier}): give a factor, per-bucket factors or explicit rates")
        if mod.end is not None and mod.end <= mod.start:
            fail(f"modifiers[{i}]: 'to' is not after 'from'")
        if pf.platform is None and not mod.targets(ids):
            fail(f"modifiers[{i}]: models {mod.models} match no model of this file")
        for pat in mod.exclude if pf.platform is None else []:
            if not _expand([pat], ids):
                fail(f"modifiers[{i}].exclude: '{pat}' matches no model of this file")
    for i, fee in enumerate(pf.fees):
        if fee.source not in pf.sources:
            fail(f"fees[{i}]: unknown source id '{fee.source}'")
        if all(getattr(fee, f) is None for f in FEES):
            fail(f"fees[{i}]: give at least one fee ({', '.join(FEES)}), USD per 1,000 requests")
        if fee.end is not None and fee.end <= fee.start:
            fail(f"fees[{i}]: 'to' is not after 'from'")
        if pf.platform is None and not fee.targets(ids):
            fail(f"fees[{i}]: models {fee.models} match no model of this file")
        for pat in fee.exclude if pf.platform is None else []:
            if not _expand([pat], ids):
                fail(f"fees[{i}].exclude: '{pat}' matches no model of this file")
    for i, inh in enumerate(pf.inherit):
        if inh.source not in pf.sources:
            fail(f"inherit[{i}]: unknown source id '{inh.source}'")
        if inh.route is not None and inh.route not in PLATFORM_ROUTES.get(pf.platform or "", ()):
            fail(f"inherit[{i}].route: '{inh.route}' is not a route of platform '{pf.platform}'")


def _expand(patterns: list[str], ids: Iterable[str]) -> list[str]:
    out = []
    for i in sorted(ids):
        for p in patterns:
            if (p.endswith("*") and i.startswith(p[:-1])) or p == i:
                out.append(i)
                break
    return out


def _targets(models: list[str], exclude: list[str], ids: Iterable[str]) -> list[str]:
    """The ids matched by `models` and not by `exclude` (a rule's reach)."""
    ids = list(ids)
    left_out = set(_expand(exclude, ids))
    return [i for i in _expand(models, ids) if i not in left_out]


def _files(directory: Path) -> tuple[str, list[Path]]:
    version_file = directory / "VERSION"
    if not version_file.is_file():
        raise PriceFileError(f"{directory}: no VERSION file; is this a pricing directory?")
    version = version_file.read_text(encoding="utf-8").strip()
    files = sorted(p for p in directory.glob("*.toml") if p.name != "substitutions.toml")
    if not files:
        raise PriceFileError(f"{directory}: no price files (*.toml)")
    return version, files


def table_digest(directory: Path | None = None) -> str:
    """The digest `load` gives this directory's table, from the files' bytes alone (no parsing): the store
    keeps it in price_meta, so a command can tell the store already holds this table."""
    directory = Path(directory or default_pricing_dir())
    version, files = _files(directory)
    digest = hashlib.sha256(version.encode() + TABLE_FORMAT.encode())
    for f in files:
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
    sub_file = directory / "substitutions.toml"
    if sub_file.is_file():
        digest.update(b"substitutions\0" + sub_file.read_bytes())
    return digest.hexdigest()[:16]


def load(directory: Path | None = None, contract: Path | str | None = None) -> PriceTable:
    """Read and validate every price file (and the contract: `contract`, else `$AISPEND_CONTRACT`).
    Raises PriceFileError naming file, model and field."""
    directory = Path(directory or default_pricing_dir())
    version, files = _files(directory)
    providers: dict[str, ProviderFile] = {}
    seen_ids: dict[str, str] = {}
    for f in files:
        pf = _parse(f, ProviderFile)
        _check_provider(f, pf, seen_ids)
        providers[pf.provider] = pf
    expanded, name_rows, modifier_rows, fee_rows = _expand_table(directory, providers)
    subs: list[SubstitutionRule] = []
    sub_file = directory / "substitutions.toml"
    all_ids = {pm.id for pm in expanded}
    if sub_file.is_file():
        subs = _parse(sub_file, SubstitutionFile).rules
        for i, rule in enumerate(subs):
            if rule.target not in all_ids:
                raise PriceFileError(f"{sub_file}: rules[{i}].target '{rule.target}' is not a priced model")
            if not _expand(rule.models, all_ids):
                raise PriceFileError(f"{sub_file}: rules[{i}].models {rule.models} match no priced model")
    table = PriceTable(
        directory=directory,
        version=version,
        digest=table_digest(directory),
        providers=providers,
        substitutions=subs,
        expanded=expanded,
        name_rows=name_rows,
        modifier_rows=modifier_rows,
        fee_rows=fee_rows,
    )
    if contract is None:
        contract = os.environ.get("AISPEND_CONTRACT") or None
    if contract:
        table.contract = load_contract(Path(contract), table)
    return table


def _clip(
    entry: ModelEntry, start: datetime, end: datetime, source: str, conf: str, note: str, factor: Decimal
) -> ModelEntry | None:
    periods = []
    for p in entry.periods:
        ps, pe = max(p.start, start), min(p.end or OPEN_END, end)
        if pe <= ps:
            continue
        windows = []
        for w in p.windows:
            ws, we = max(w.start or ps, ps), min(w.end or pe, pe)
            if we > ws:
                windows.append(w.model_copy(update={"start": ws, "end": None if we == OPEN_END else we}))
        worst = max(p.confidence, conf)
        scaled: dict[str, Any] = {}
        if factor != 1:
            scaled = dict(_scaled(p, factor))
            scaled["tiers"] = [t.model_copy(update=_scaled(t, factor)) for t in p.tiers]
            windows = [w.model_copy(update=_scaled(w, factor)) if w.factor is None else w for w in windows]
        periods.append(
            p.model_copy(
                update={
                    **scaled,
                    "start": ps,
                    "end": None if pe == OPEN_END else pe,
                    "source": source,
                    "confidence": worst,
                    "note": f"{note} (vendor period source: {p.source})",
                    "windows": windows,
                }
            )
        )
    if not periods:
        return None
    return entry.model_copy(update={"periods": periods})


def _expand_table(
    directory: Path, providers: dict[str, ProviderFile]
) -> tuple[list[PricedModel], list[NameRow], list[tuple[str, Modifier]], list[tuple[str, Fee]]]:
    """Declared models plus platform copies (inherit), with every name they answer to, the service-tier rules
    and the per-request fee rules of each. Platform copies take no fees from the vendor's file: a platform
    bills its own (a call with web searches there and no fee rule is flagged missing_fee)."""
    out: list[PricedModel] = []
    rows: list[NameRow] = []
    mods: list[tuple[str, Modifier]] = []
    fees: list[tuple[str, Fee]] = []
    owner: dict[tuple[str, str, str], str] = {}

    def claim(path: str, name: str, model: str, platform: str, route: str, kind: str, s: datetime, e: datetime) -> None:
        key = (platform, route, name)
        if kind != "alias" and key in owner and owner[key] != model:
            where = f" on platform '{platform}'" if platform else ""
            raise PriceFileError(f"{path}: name '{name}' of model '{model}' already means '{owner[key]}'{where}")
        if kind != "alias":
            owner[key] = model
        rows.append(NameRow(name, model, s, e, kind, platform, route))

    def add_model(pm: PricedModel, path: str) -> None:
        out.append(pm)
        claim(path, pm.id, pm.id, pm.platform, pm.route, "id", BEGINNING, OPEN_END)
        for x in pm.names:
            if x != pm.id:
                claim(path, x, pm.id, pm.platform, pm.route, "match", BEGINNING, OPEN_END)

    first_party = {k: v for k, v in providers.items() if v.platform is None}
    for provider, pf in sorted(first_party.items()) + sorted((k, v) for k, v in providers.items() if v.platform):
        path = str(directory / f"{provider}.toml")
        platform = pf.platform or ""
        ids = {m.id for m in pf.models}
        for m in pf.models:
            pm = PricedModel(
                id=m.id,
                provider=provider,
                platform=platform,
                route=m.route or "",
                vendor=m.vendor or provider,
                entry=m,
                base=m.base,
                names=[x for x in m.match if not x.endswith("*")],
                patterns=[x[:-1] for x in m.match if x.endswith("*")],
            )
            add_model(pm, path)
        for a in pf.aliases:
            claim(path, a.name, a.target, platform, "", "alias", a.start, a.end or OPEN_END)
        for mod in pf.modifiers if pf.platform is None else []:
            for t in mod.targets(ids):
                mods.append((t, mod))
        for fee in pf.fees if pf.platform is None else []:
            fees.extend((t, fee) for t in fee.targets(ids))
        # inherited copies: the vendor's models at the vendor's list price, on this platform
        for i, inh in enumerate(pf.inherit):
            vendor_pf = first_party.get(inh.provider)
            if vendor_pf is None:
                raise PriceFileError(f"{path}: inherit[{i}].provider: '{inh.provider}' is not a first-party price file")
            chosen = [m for m in vendor_pf.models if _expand(inh.models, [m.id]) and not _expand(inh.exclude, [m.id])]
            if not chosen:
                raise PriceFileError(f"{path}: inherit[{i}].models {inh.models} match no model of {inh.provider}")
            route = inh.route or ""
            copied: dict[str, str] = {}
            for m in chosen:
                new_id = f"{platform}/{m.id}" if not route else f"{platform}/{route}/{m.id}"
                if new_id in ids or any(pm.id == new_id for pm in out):
                    continue  # an explicit platform entry wins
                declared = {
                    x
                    for pm in out
                    if pm.platform == platform and pm.inherited is None and pm.route == route
                    for x in [*pm.names, pm.id]
                }
                entry = _clip(
                    m,
                    inh.start,
                    inh.end or OPEN_END,
                    inh.source,
                    inh.confidence,
                    f"{pf.platform} bills {inh.provider}'s list price" + (f" x {inh.factor}" if inh.factor else ""),
                    Decimal(inh.factor or "1"),
                )
                if entry is None:
                    continue
                names = [inh.prefix + x for x in [m.id, *m.match] if not x.endswith("*")]
                names = [x for x in names if x not in declared]
                pm = PricedModel(
                    id=new_id,
                    provider=provider,
                    platform=platform,
                    route=route,
                    vendor=inh.provider,
                    entry=entry.model_copy(update={"id": new_id}),
                    base=m.id,
                    inherited=inh,
                    names=names,
                    patterns=[inh.prefix + x[:-1] for x in m.match if x.endswith("*")],
                )
                add_model(pm, path)
                copied[m.id] = new_id
            for a in vendor_pf.aliases:
                if a.target in copied:
                    s, e = max(a.start, inh.start), min(a.end or OPEN_END, inh.end or OPEN_END)
                    if e > s:
                        claim(path, inh.prefix + a.name, copied[a.target], platform, route, "alias", s, e)
            for mod in vendor_pf.modifiers:
                if mod.service_tier not in inh.service_tiers:
                    continue
                targets = [copied[t] for t in mod.targets(copied)]
                for t in targets:
                    mods.append((t, mod))
        if pf.platform:
            mine = [pm.id for pm in out if pm.provider == provider]
            for i, mod in enumerate(pf.modifiers):
                targets = mod.targets(mine)
                if not targets:
                    raise PriceFileError(f"{path}: modifiers[{i}]: models {mod.models} match no model of this file")
                mods.extend((t, mod) for t in targets)
            for i, fee in enumerate(pf.fees):
                targets = fee.targets(mine)
                if not targets:
                    raise PriceFileError(f"{path}: fees[{i}]: models {fee.models} match no model of this file")
                fees.extend((t, fee) for t in targets)
    # aliases must not collide with fixed names on the same platform and route
    for r in rows:
        if r.kind == "alias":
            holder = owner.get((r.platform, r.route, r.name))
            if holder is not None:
                raise PriceFileError(f"pricing: alias '{r.name}' is also a fixed name of '{holder}'")
    tiers: dict[tuple[str, str], list[tuple[datetime, datetime]]] = {}
    for model_id, mod in mods:
        tiers.setdefault((model_id, mod.service_tier), []).append((mod.start, mod.end or OPEN_END))
    for (model_id, tier), iv in tiers.items():
        if _overlaps(iv):
            raise PriceFileError(f"pricing: modifiers: two '{tier}' rules for '{model_id}' overlap in time")
    spans: dict[str, list[tuple[datetime, datetime]]] = {}
    for model_id, fee in fees:
        spans.setdefault(model_id, []).append((fee.start, fee.end or OPEN_END))
    for model_id, iv in spans.items():
        if _overlaps(iv):
            raise PriceFileError(f"pricing: fees: two fee rules for '{model_id}' overlap in time")
    return out, rows, mods, fees


# ---------------------------------------------------------------- contracts


def _specificity(rule: ContractRule, model_id: str) -> int:
    if any(p == model_id for p in rule.models):
        return 3
    if rule.models:
        return 2
    return 1


def load_contract(path: Path, table: PriceTable) -> Contract:
    """Validate a contract file against the table and resolve it to non-overlapping rows per model and tier."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise PriceFileError(f"{path}: no such contract file", hint="Pass --contract FILE or set AISPEND_CONTRACT.")
    cf: ContractFile = _parse(path, ContractFile)
    by_id = {pm.id: pm for pm in table.expanded}
    providers = set(table.providers)
    spans: dict[tuple[str, str], list[tuple[datetime, datetime, int, int]]] = {}
    models_by_rule: dict[str, list[str]] = {}
    for i, r in enumerate(cf.rules):
        rid = r.id or f"rules[{i}]"
        where = f"{path}: rules[{i}]" + (f" '{r.id}'" if r.id else "")
        if r.discount is None and not r.has_rates():
            raise PriceFileError(f'{where}: give a discount (percent) or committed rates (input = "...", ...)')
        if r.provider is not None and r.provider not in providers:
            raise PriceFileError(f"{where}.provider: '{r.provider}' is not a price file (known: {sorted(providers)})")
        if r.start and r.end and r.end <= r.start:
            raise PriceFileError(f"{where}: 'to' is not after 'from'")
        pool = [pm.id for pm in table.expanded if r.provider is None or pm.provider == r.provider]
        if r.models:
            for pat in r.models:
                if not _expand([pat.lower()], pool):
                    raise PriceFileError(
                        f"{where}.models: '{pat}' names no known model"
                        + (f" of provider '{r.provider}'" if r.provider else ""),
                        hint="Use ids from 'aispend prices list' (a trailing '*' matches a prefix).",
                    )
            chosen = _expand([p.lower() for p in r.models], pool)
        else:
            if r.provider is None:
                raise PriceFileError(f"{where}: name a provider or models")
            chosen = pool
        if r.has_rates() and len(chosen) != 1:
            raise PriceFileError(
                f"{where}: committed rates must name exactly one model, but {len(chosen)} match {r.models or '*'}"
            )
        tiers: list[str] = list(r.service_tiers or (["standard"] if r.has_rates() else ALL_TIERS))
        models_by_rule[rid] = chosen
        for m in chosen:
            if r.has_rates():
                listed = {b for b in BUCKETS if getattr(by_id[m].entry.periods[-1], b) is not None}
                missing = sorted(b for b in listed if getattr(r, b) is None)
                if missing and r.discount is None:
                    raise PriceFileError(
                        f"{where}: committed rates for '{m}' omit {missing}; list them or add a discount for the rest"
                    )
            for t in tiers:
                spans.setdefault((m, t), []).append((r.start or BEGINNING, r.end or OPEN_END, _specificity(r, m), i))
    rows: list[tuple[Any, ...]] = []
    for (m, tier), items in sorted(spans.items()):
        cuts = sorted({x for s, e, _, _ in items for x in (s, e)})
        for a, b in itertools.pairwise(cuts):
            live = [it for it in items if it[0] <= a and b <= it[1]]
            if not live:
                continue
            top = max(x[2] for x in live)
            best = [x for x in live if x[2] == top]
            if len(best) > 1:
                r1, r2 = cf.rules[best[0][3]], cf.rules[best[1][3]]
                raise PriceFileError(
                    f"{path}: rules[{best[0][3]}] and rules[{best[1][3]}] both cover '{m}' ({tier}) on "
                    f"{a:%Y-%m-%d} at the same specificity",
                    hint=f"Narrow one of them (dates or models): {r1.id or ''} {r2.id or ''}".strip(),
                )
            r = cf.rules[best[0][3]]
            rid = r.id or f"rules[{best[0][3]}]"
            disc = Decimal(r.discount or "0") / 100
            d = r.as_decimals()
            if rows and rows[-1][0] == m and rows[-1][1] == tier and rows[-1][3] == a and rows[-1][4] == rid:
                rows[-1] = (*rows[-1][:3], b, *rows[-1][4:])
                continue
            rows.append(
                (
                    m,
                    tier,
                    a,
                    b,
                    rid,
                    disc,
                    *(d[b] for b in BUCKETS),
                )
            )
    credit_rows: list[tuple[Any, ...]] = []
    for i, c in enumerate(cf.credits):
        if c.provider is not None and c.provider not in providers:
            raise PriceFileError(f"{path}: credits[{i}].provider: '{c.provider}' is not a price file")
        if c.end <= c.start:
            raise PriceFileError(f"{path}: credits[{i}]: 'to' is not after 'from'")
        y, mo = c.start.year, c.start.month
        while datetime(y, mo, 1, tzinfo=UTC) < c.end:
            credit_rows.append((date(y, mo, 1), c.provider, Decimal(c.amount_per_month), f"credits[{i}]", c.note))
            y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return Contract(path, digest, cf, rows, credit_rows, models_by_rule)


# ---------------------------------------------------------------- into the store


def price_rows(table: PriceTable) -> list[tuple[Any, ...]]:
    """One row per (model, period, tier band), the shape of the `prices` table."""
    rows = []
    for pm in table.expanded:
        for p in pm.entry.periods:
            start, end = p.start, p.end or OPEN_END
            period_id = f"{pm.id}@{start:%Y-%m-%d}"
            for lo, hi, r in _bands(p, p.tiers):
                d = r.as_decimals()
                rows.append(
                    (
                        pm.id,
                        pm.provider,
                        period_id,
                        start,
                        end,
                        lo,
                        hi,
                        *(d[b] for b in BUCKETS),
                        p.source,
                        p.confidence,
                    )
                )
    return rows


def _bands(base: Rates, tiers: list[Tier]) -> list[tuple[int, int, Rates]]:
    bands: list[tuple[int, int, Rates]] = []
    lower, rates = -1, base
    for t in tiers:
        bands.append((lower, t.above, rates))
        lower, rates = t.above, t
    bands.append((lower, MAX_PROMPT, rates))
    return bands


@functools.lru_cache(maxsize=256)
def _fixed_offset(tz: str, start: datetime, end: datetime) -> int | None:
    """The zone's UTC offset in seconds if it is the same at every instant of [start, end), else None.
    (Checked daily; an open end is checked for ten years ahead and the zone's rules for no DST.)"""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    stop = min(end, start + timedelta(days=3653)) if end < OPEN_END else start + timedelta(days=3653)
    first = start.astimezone(zone).utcoffset()
    t = start
    while t < stop:
        if t.astimezone(zone).utcoffset() != first:
            return None
        t += timedelta(days=1)
    return None if first is None else int(first.total_seconds())


def window_rows(table: PriceTable) -> list[tuple[Any, ...]]:
    rows = []
    for pm in table.expanded:
        for p in pm.entry.periods:
            for j, w in enumerate(p.windows):
                ws, we = w.start or p.start, w.end or p.end or OPEN_END
                wid = w.name or f"{pm.id}@{p.start:%Y-%m-%d}#w{j}"
                d = w.as_decimals()
                offset = _fixed_offset(w.tz, ws, we)
                for mask, lo, hi in w.segments():
                    rows.append(
                        (
                            pm.id,
                            wid,
                            ws,
                            we,
                            w.tz,
                            offset,
                            mask,
                            lo,
                            hi,
                            None if w.factor is None else Decimal(w.factor),
                            *(d[b] for b in BUCKETS),
                            w.source or p.source,
                            w.confidence or p.confidence,
                        )
                    )
    return rows


def modifier_rows(table: PriceTable) -> list[tuple[Any, ...]]:
    rows = []
    for model_id, mod in table.modifier_rows:
        f = [mod.bucket_factor(b) for b in BUCKETS]
        for lo, hi, r in _bands(mod, mod.tiers) if mod.explicit() else [(-1, MAX_PROMPT, mod)]:
            d = r.as_decimals() if mod.explicit() else dict.fromkeys(BUCKETS)
            rows.append(
                (
                    model_id,
                    mod.service_tier,
                    mod.start,
                    mod.end or OPEN_END,
                    lo,
                    hi,
                    None if mod.factor is None else Decimal(mod.factor),
                    *f,
                    *(d[b] for b in BUCKETS),
                    mod.source,
                    mod.confidence,
                )
            )
    return rows


def fee_rows(table: PriceTable) -> list[tuple[Any, ...]]:
    """One row per (model, fee rule): the per-request fees in force over [from, to), USD per 1,000 requests."""
    rows = []
    for model_id, fee in table.fee_rows:
        d = fee.as_decimals()
        rows.append((model_id, fee.start, fee.end or OPEN_END, *(d[f] for f in FEES), fee.source, fee.confidence))
    return rows


CARD_SCALE = 10  # decimal places of a composed rate (DECIMAL(18, 10) in rate_card)
CARD_TIERS = (*ALL_TIERS, "other")
_CARD_CACHE: dict[int, tuple[PriceTable, list[tuple[Any, ...]]]] = {}


def _exact(d: Decimal | None, where: str) -> Decimal | None:
    if d is None:
        return None
    q = d.quantize(Decimal(1).scaleb(-CARD_SCALE))
    if q != d:
        raise PriceFileError(f"{where}: composed rate {d} needs more than {CARD_SCALE} decimal places")
    return q


def _band_rates(bands: list[tuple[int, int, Rates]], prompt: int) -> Rates:
    for lo, hi, r in bands:
        if lo < prompt <= hi:
            return r
    return bands[-1][2]


def rate_card_rows(table: PriceTable) -> list[tuple[Any, ...]]:
    """The list rate of every (model, service tier, window, validity, prompt band): periods, tiers,
    windows and modifiers composed once here, so the per-call SQL is a join and a dot product."""
    cached = _CARD_CACHE.get(id(table))
    if cached is not None and cached[0] is table:
        return cached[1]
    mods_by: dict[tuple[str, str], list[Modifier]] = {}
    for model_id, rule in table.modifier_rows:
        mods_by.setdefault((model_id, rule.service_tier), []).append(rule)
    rows: list[tuple[Any, ...]] = []
    for pm in table.expanded:
        for p in pm.entry.periods:
            ps, pe = p.start, p.end or OPEN_END
            period_id = f"{pm.id}@{ps:%Y-%m-%d}"
            pbands = _bands(p, p.tiers)
            first_tier = p.tiers[0].above if p.tiers else MAX_PROMPT
            for tier in CARD_TIERS:
                mods = sorted(mods_by.get((pm.id, tier), []), key=lambda x: x.start)
                cuts = {ps, pe}
                for x in mods:
                    cuts |= {c for c in (x.start, x.end or OPEN_END) if ps < c < pe}
                for a, b in itertools.pairwise(sorted(cuts)):
                    mod = next((x for x in mods if x.start <= a and b <= (x.end or OPEN_END)), None)
                    variants: list[tuple[str, Window | None, datetime, datetime]] = [("", None, a, b)]
                    for j, win in enumerate(p.windows):
                        ws, we = max(win.start or ps, a), min(win.end or pe, b)
                        if we > ws:
                            variants.append((win.name or f"{period_id}#w{j}", win, ws, we))
                    mbands = _bands(mod, mod.tiers) if mod is not None and mod.explicit() else []
                    thresholds = sorted({t.above for t in p.tiers} | {t.above for t in (mod.tiers if mod else [])})
                    edges = [-1, *thresholds, MAX_PROMPT]
                    for wid, w, va, vb in variants:
                        for lo, hi in itertools.pairwise(edges):
                            base = _band_rates(pbands, lo + 1)
                            conf = max(p.confidence, (w.confidence if w else None) or p.confidence)
                            rates: list[Decimal | None] = []
                            for bucket in BUCKETS:
                                r: Decimal | None = (
                                    None if getattr(base, bucket) is None else Decimal(getattr(base, bucket))
                                )
                                if w is not None:
                                    wr = getattr(w, bucket)
                                    if wr is not None:
                                        r = Decimal(wr)
                                    elif r is not None and w.factor is not None:
                                        r = r * Decimal(w.factor)
                                if mod is not None:
                                    explicit = getattr(_band_rates(mbands, lo + 1), bucket) if mbands else None
                                    if explicit is not None:
                                        r = Decimal(explicit)
                                    elif r is not None:
                                        r = r * mod.bucket_factor(bucket)
                                rates.append(_exact(r, f"{pm.id} {tier} {bucket}"))
                            if mod is not None:
                                conf = max(conf, mod.confidence)
                            rows.append(
                                (
                                    pm.id,
                                    tier,
                                    wid,
                                    va,
                                    vb,
                                    lo,
                                    hi,
                                    period_id,
                                    *rates,
                                    tier == "standard" or mod is not None,
                                    None if mod is None or mod.factor is None else Decimal(mod.factor),
                                    lo >= first_tier,
                                    p.source,
                                    conf,
                                )
                            )
    if len(_CARD_CACHE) > 8:
        _CARD_CACHE.clear()
    _CARD_CACHE[id(table)] = (table, rows)
    return rows


PRICE_TABLES = (
    "price_meta",
    "price_models",
    "prices",
    "model_names",
    "model_patterns",
    "price_modifiers",
    "price_windows",
    "price_platforms",
    "rate_card",
    "price_fees",
    "price_substitutions",
)
CONTRACT_TABLES = ("contract_rules", "contract_credits", "contract_meta")


def installed_digest(con: duckdb.DuckDBPyConnection) -> str | None:
    """The digest of the price table the store holds (None: none installed)."""
    rows = con.execute("select digest from price_meta").fetchall()
    return str(rows[0][0]) if len(rows) == 1 else None


def install(con: duckdb.DuckDBPyConnection, table: PriceTable, *, force: bool = False) -> bool:
    """Replace the store's price tables with `table` unless they already hold this digest; always
    (re)install the contract (none = no rows), so a contract never outlives the session that named it."""
    current = con.execute("select digest from price_meta").fetchall()
    changed = force or current != [(table.digest,)]
    con.execute("begin transaction")
    try:
        if changed:
            _install_prices(con, table)
        install_contract(con, table.contract, _in_transaction=True)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return changed


def _install_prices(con: duckdb.DuckDBPyConnection, table: PriceTable) -> None:
    names, patterns, models = [], [], []
    for pm in table.expanded:
        models.append((pm.id, pm.provider, pm.entry.name, pm.vendor, pm.platform))
        for pat in pm.patterns:
            patterns.append((pat, pm.id, pm.platform, pm.route))
    for r in table.name_rows:
        names.append((r.name, r.model, r.start, r.end, r.kind, r.platform, r.route))
    platforms = [(pf.platform, pf.fallback) for pf in table.providers.values() if pf.platform]
    for t in PRICE_TABLES:
        con.execute(f"delete from {t}")
    db.insert_rows(con, "price_models", models)
    db.insert_rows(con, "prices", price_rows(table))
    db.insert_rows(con, "model_names", names)
    if patterns:
        db.insert_rows(con, "model_patterns", patterns)
    db.insert_rows(con, "price_modifiers", modifier_rows(table))
    db.insert_rows(con, "price_windows", window_rows(table))
    if platforms:
        con.executemany("insert into price_platforms values (?, ?)", platforms)
    db.insert_rows(con, "rate_card", rate_card_rows(table))
    db.insert_rows(con, "price_fees", fee_rows(table))
    db.insert_rows(con, "price_substitutions", [(i, *kv) for i, kv in enumerate(substitution_map(table).items())])
    con.execute("insert into price_meta values (?, ?, ?, now())", [table.version, table.digest, str(table.directory)])


def install_contract(
    con: duckdb.DuckDBPyConnection, contract: Contract | None, *, _in_transaction: bool = False
) -> None:
    """Put `contract` (or none) into the contract tables."""
    if not _in_transaction:
        con.execute("begin transaction")
    try:
        for t in CONTRACT_TABLES:
            con.execute(f"delete from {t}")
        if contract is not None:
            if contract.rows:
                marks = ", ".join("?" * len(contract.rows[0]))
                con.executemany(f"insert into contract_rules values ({marks})", contract.rows)
            if contract.credit_rows:
                con.executemany("insert into contract_credits values (?, ?, ?, ?, ?)", contract.credit_rows)
            con.execute(
                "insert into contract_meta values (?, ?, ?)", [str(contract.path), contract.file.name, contract.digest]
            )
        if not _in_transaction:
            con.execute("commit")
    except Exception:
        if not _in_transaction:
            con.execute("rollback")
        raise


def substitution_map(table: PriceTable) -> dict[str, str]:
    """Canonical model id → default small sibling (same vendor, same generation). A platform's copy of a
    vendor model moves to the platform's copy of the target where there is one."""
    ids = {pm.id for pm in table.expanded}
    out: dict[str, str] = {}
    for rule in table.substitutions:
        for model_id in _expand(rule.models, ids):
            if model_id != rule.target:
                out.setdefault(model_id, rule.target)
    for pm in table.expanded:
        if pm.platform and pm.base and pm.base in out and pm.id not in out:
            target = out[pm.base]
            prefix = pm.id[: len(pm.id) - len(pm.base)]
            out[pm.id] = prefix + target if prefix + target in ids else target
    return out


def main(argv: list[str]) -> int:
    """`python -m finops.pricing check [DIR]`: validate a pricing directory (used while editing data)."""
    directory = Path(argv[1]) if len(argv) > 1 else None
    try:
        t = load(directory)
    except PriceFileError as e:
        print(f"Error: {e.message}", file=sys.stderr)
        return 1
    n_models = sum(1 for _ in t.models())
    print(f"ok: version {t.version}, {len(t.providers)} providers, {n_models} models, digest {t.digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] if sys.argv[1:2] == ["check"] else ["check", *sys.argv[1:]]))
