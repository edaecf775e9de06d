"""Load and validate the versioned price table (pricing/*.toml) and put it into the store.

Prices are data: this module only reads, checks and tabulates them. All cost arithmetic happens in
one SQL view (finops/sql/priced_usage.sql).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import sys
import tomllib
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from finops.errors import PriceFileError

BUCKETS = ("input", "cache_read", "cache_write_5m", "cache_write_1h", "output")
SERVICE_TIERS = ("batch", "flex", "priority", "scale")
OPEN_END = datetime(2200, 1, 1, tzinfo=UTC)
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)
MAX_PROMPT = 1 << 62
RATE_SCALE = 6  # decimal places kept for a per-1M-token rate (the store's DECIMAL(18, 6))


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


Rate = Annotated[str | None, Field(default=None)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Rates(_Strict):
    input: Rate = None
    cache_read: Rate = None
    cache_write_5m: Rate = None
    cache_write_1h: Rate = None
    output: Rate = None

    @field_validator(*BUCKETS)
    @classmethod
    def _check_rate(cls, v: str | None) -> str | None:
        return _rate(v)

    def as_decimals(self) -> dict[str, Decimal | None]:
        return {b: (None if getattr(self, b) is None else Decimal(getattr(self, b))) for b in BUCKETS}


class Tier(Rates):
    above: int = Field(gt=0)


class Period(Rates):
    start: datetime = Field(alias="from")
    end: datetime | None = Field(default=None, alias="to")
    source: str
    confidence: Literal["A", "B", "C"]
    note: str | None = None
    tiers: list[Tier] = Field(default_factory=list)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _tz(cls, v: Any) -> Any:
        return None if v is None else _aware(v)


class ModelEntry(_Strict):
    id: str
    name: str
    match: list[str] = Field(default_factory=list)
    periods: list[Period]


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


class Modifier(_Strict):
    service_tier: Literal["batch", "flex", "priority", "scale"]
    factor: str
    start: datetime = Field(alias="from")
    end: datetime | None = Field(default=None, alias="to")
    models: list[str] = Field(default_factory=lambda: ["*"])
    source: str
    confidence: Literal["A", "B", "C"] = "B"
    note: str | None = None

    @field_validator("factor")
    @classmethod
    def _check_factor(cls, v: str) -> str:
        _rate(v)
        return v

    @field_validator("start", "end", mode="before")
    @classmethod
    def _tz(cls, v: Any) -> Any:
        return None if v is None else _aware(v)


class Source(_Strict):
    url: str | None = None
    title: str | None = None
    note: str | None = None
    retrieved: Any = None


class ProviderFile(_Strict):
    provider: str
    sources: dict[str, Source]
    models: list[ModelEntry]
    aliases: list[Alias] = Field(default_factory=list)
    modifiers: list[Modifier] = Field(default_factory=list)


class SubstitutionRule(_Strict):
    models: list[str]
    target: str
    why: str | None = None


class SubstitutionFile(_Strict):
    rules: list[SubstitutionRule]


class PriceTable(BaseModel):
    """The whole validated table: what the loader hands to the store and to `aispend prices`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    directory: Path
    version: str
    digest: str
    providers: dict[str, ProviderFile]
    substitutions: list[SubstitutionRule]

    def models(self) -> Iterable[tuple[str, ModelEntry]]:
        for provider, pf in sorted(self.providers.items()):
            for m in pf.models:
                yield provider, m

    def model(self, model_id: str) -> tuple[str, ModelEntry] | None:
        for provider, m in self.models():
            if m.id == model_id:
                return provider, m
        return None

    def lookup(self, name: str) -> list[str]:
        """Model ids a (normalised) name can mean: id, exact match, alias target, or pattern."""
        name = name.lower()
        out: list[str] = []
        for _provider, m in self.models():
            if name == m.id or name in m.match:
                out.append(m.id)
        for pf in self.providers.values():
            for a in pf.aliases:
                if a.name == name and a.target not in out:
                    out.append(a.target)
        if not out:
            best = ""
            for _provider, m in self.models():
                for pat in m.match:
                    if pat.endswith("*") and name.startswith(pat[:-1]) and len(pat) > len(best):
                        best, out = pat, [m.id]
        return out


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
                    parts[-1] = f"model '{node['id']}'"
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
        raise PriceFileError(
            f"{path}: {where}: {first['msg']}{more}",
            hint="See pricing/README.md for the schema.",
        ) from e


def _overlaps(intervals: list[tuple[datetime, datetime]]) -> tuple[int, int] | None:
    order = sorted(range(len(intervals)), key=lambda i: intervals[i][0])
    for a, b in itertools.pairwise(order):
        if intervals[b][0] < intervals[a][1]:
            return a, b
    return None


def _check_provider(path: Path, pf: ProviderFile, seen_ids: dict[str, str]) -> None:
    def fail(msg: str) -> None:
        raise PriceFileError(f"{path}: {msg}", hint="See pricing/README.md for the schema.")

    if pf.provider != path.stem:
        fail(f"provider = '{pf.provider}' but the file is named {path.name}")
    for m in pf.models:
        if m.id != m.id.lower() or not m.id.strip():
            fail(f"model '{m.id}': ids are lowercase and non-empty")
        if m.id in seen_ids:
            fail(f"model '{m.id}' is also defined in {seen_ids[m.id]}")
        seen_ids[m.id] = path.name
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
    ids = {m.id for m in pf.models}
    for i, a in enumerate(pf.aliases):
        if a.source not in pf.sources:
            fail(f"aliases[{i}] '{a.name}': unknown source id '{a.source}'")
        if a.target not in ids:
            fail(f"aliases[{i}] '{a.name}': target '{a.target}' is not a model of this file")
        if a.name in ids:
            fail(f"aliases[{i}] '{a.name}' is also a model id")
    by_name: dict[str, list[tuple[datetime, datetime]]] = {}
    for a in pf.aliases:
        by_name.setdefault(a.name, []).append((a.start, a.end or OPEN_END))
    for name, iv in by_name.items():
        if _overlaps(iv):
            fail(f"alias '{name}': validity periods overlap")
    tiers: dict[tuple[str, str], list[tuple[datetime, datetime]]] = {}
    for i, mod in enumerate(pf.modifiers):
        if mod.source not in pf.sources:
            fail(f"modifiers[{i}]: unknown source id '{mod.source}'")
        targets = _expand(mod.models, ids)
        if not targets:
            fail(f"modifiers[{i}]: models {mod.models} match no model of this file")
        for t in targets:
            tiers.setdefault((t, mod.service_tier), []).append((mod.start, mod.end or OPEN_END))
    for (model_id, tier), iv in tiers.items():
        if _overlaps(iv):
            fail(f"modifiers: two '{tier}' rules for '{model_id}' overlap in time")


def _expand(patterns: list[str], ids: set[str]) -> list[str]:
    out = []
    for i in sorted(ids):
        for p in patterns:
            if (p.endswith("*") and i.startswith(p[:-1])) or p == i:
                out.append(i)
                break
    return out


def load(directory: Path | None = None) -> PriceTable:
    """Read and validate every price file. Raises PriceFileError naming file, model and field."""
    directory = Path(directory or default_pricing_dir())
    version_file = directory / "VERSION"
    if not version_file.is_file():
        raise PriceFileError(f"{directory}: no VERSION file; is this a pricing directory?")
    version = version_file.read_text(encoding="utf-8").strip()
    files = sorted(p for p in directory.glob("*.toml") if p.name != "substitutions.toml")
    if not files:
        raise PriceFileError(f"{directory}: no price files (*.toml)")
    digest = hashlib.sha256(version.encode())
    providers: dict[str, ProviderFile] = {}
    seen_ids: dict[str, str] = {}
    for f in files:
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
        pf = _parse(f, ProviderFile)
        _check_provider(f, pf, seen_ids)
        providers[pf.provider] = pf
    _check_names(providers)
    subs: list[SubstitutionRule] = []
    sub_file = directory / "substitutions.toml"
    if sub_file.is_file():
        digest.update(b"substitutions\0" + sub_file.read_bytes())
        subs = _parse(sub_file, SubstitutionFile).rules
        for i, rule in enumerate(subs):
            if rule.target not in seen_ids:
                raise PriceFileError(f"{sub_file}: rules[{i}].target '{rule.target}' is not a priced model")
            if not _expand(rule.models, set(seen_ids)):
                raise PriceFileError(f"{sub_file}: rules[{i}].models {rule.models} match no priced model")
    return PriceTable(
        directory=directory,
        version=version,
        digest=digest.hexdigest()[:16],
        providers=providers,
        substitutions=subs,
    )


def _check_names(providers: dict[str, ProviderFile]) -> None:
    owner: dict[str, str] = {}
    for provider, pf in providers.items():
        for m in pf.models:
            for name in [m.id, *[x for x in m.match if not x.endswith("*")]]:
                if name in owner and owner[name] != m.id:
                    raise PriceFileError(
                        f"pricing/{provider}.toml: name '{name}' of model '{m.id}' already means '{owner[name]}'"
                    )
                owner[name] = m.id
    for provider, pf in providers.items():
        for a in pf.aliases:
            if a.name in owner:
                raise PriceFileError(
                    f"pricing/{provider}.toml: alias '{a.name}' is also a fixed name of '{owner[a.name]}'"
                )


# ---------------------------------------------------------------- into the store


def price_rows(table: PriceTable) -> list[tuple[Any, ...]]:
    """One row per (model, period, tier band), the shape of the `prices` table."""
    rows = []
    for provider, m in table.models():
        for p in m.periods:
            start, end = p.start, p.end or OPEN_END
            period_id = f"{m.id}@{start:%Y-%m-%d}"
            bands: list[tuple[int, int, Rates]] = []
            lower: int = -1
            rates: Rates = p
            for t in p.tiers:
                bands.append((lower, t.above, rates))
                lower, rates = t.above, t
            bands.append((lower, MAX_PROMPT, rates))
            for lo, hi, r in bands:
                d = r.as_decimals()
                rows.append(
                    (
                        m.id,
                        provider,
                        period_id,
                        start,
                        end,
                        lo,
                        hi,
                        d["input"],
                        d["cache_read"],
                        d["cache_write_5m"],
                        d["cache_write_1h"],
                        d["output"],
                        p.source,
                        p.confidence,
                    )
                )
    return rows


def install(con: duckdb.DuckDBPyConnection, table: PriceTable, *, force: bool = False) -> bool:
    """Replace the store's price tables with `table` unless they already hold this digest."""
    current = con.execute("select digest from price_meta").fetchall()
    if not force and current == [(table.digest,)]:
        return False
    names, patterns, modifiers, models = [], [], [], []
    for provider, pf in sorted(table.providers.items()):
        ids = {m.id for m in pf.models}
        for m in pf.models:
            models.append((m.id, provider, m.name))
            names.append((m.id, m.id, BEGINNING, OPEN_END, "id"))
            for x in m.match:
                if x.endswith("*"):
                    patterns.append((x[:-1], m.id))
                else:
                    names.append((x, m.id, BEGINNING, OPEN_END, "match"))
        for a in pf.aliases:
            names.append((a.name, a.target, a.start, a.end or OPEN_END, "alias"))
        for mod in pf.modifiers:
            for t in _expand(mod.models, ids):
                modifiers.append((t, mod.service_tier, mod.start, mod.end or OPEN_END, Decimal(mod.factor), mod.source))
    con.execute("begin transaction")
    try:
        for t in ("price_meta", "price_models", "prices", "model_names", "model_patterns", "price_modifiers"):
            con.execute(f"delete from {t}")
        con.executemany("insert into price_models values (?, ?, ?)", models)
        con.executemany("insert into prices values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", price_rows(table))
        con.executemany("insert into model_names values (?, ?, ?, ?, ?)", names)
        if patterns:
            con.executemany("insert into model_patterns values (?, ?)", patterns)
        if modifiers:
            con.executemany("insert into price_modifiers values (?, ?, ?, ?, ?, ?)", modifiers)
        con.execute(
            "insert into price_meta values (?, ?, ?, now())", [table.version, table.digest, str(table.directory)]
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return True


def substitution_map(table: PriceTable) -> dict[str, str]:
    """Canonical model id → default small sibling (same vendor, same generation)."""
    ids = {m.id for _p, m in table.models()}
    out: dict[str, str] = {}
    for rule in table.substitutions:
        for model_id in _expand(rule.models, ids):
            if model_id != rule.target:
                out.setdefault(model_id, rule.target)
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
