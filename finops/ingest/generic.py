"""Any CSV or Parquet of usage or cost, described by a small TOML mapping (`--mapping FILE`).

```toml
# aispend mapping: source column = canonical field
[columns]
created = "ts"
model_name = "model"
prompt_tokens = "input"           # total input; see input_includes_cache
cached_tokens = "cache_read"
completion_tokens = "output"
cost_usd = "cost"                 # reported cost (cost_unit below)
team = "tag:team"

[constants]                       # fields no column holds
provider = "openai"

[units]
tokens = 1                        # multiply token columns (1000 when they are in thousands)
cost = "usd"                      # or "cents"
input_includes_cache = true       # `input` holds cache reads/writes too (OpenAI style); false: disjoint

[time]
format = "%d/%m/%Y %H:%M"         # strptime; default: ISO 8601 or unix seconds/ms
```

Canonical fields: ts, model, provider, platform, input (total input, see input_includes_cache),
input_uncached, cache_read, cache_write (5-minute), cache_write_1h, output, reasoning, web_searches,
requests, cost, service_tier, region, request_id, and `tag:<key>`. `[record] kind` is call (default),
bucket or cost. Without --mapping the format never matches; with it, a CSV/Parquet file that no
built-in format recognises is read this way when it has the mapped columns.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from finops.errors import UsageError
from finops.ingest import register
from finops.ingest._base import Container, LogFormat, layer, read_all, staged_select, tier_sql, ts_sql
from finops.ingest._exports import key_sql
from finops.ingest._tabular import blank_sql, dec_sql, int_sql, q, tab_status
from finops.ingest._vendor import direct_platform_sql, tag_entries_sql, with_vendor

FIELDS = (
    "ts",
    "model",
    "provider",
    "platform",
    "input",
    "input_uncached",
    "cache_read",
    "cache_write",
    "cache_write_1h",
    "output",
    "reasoning",
    "web_searches",
    "requests",
    "cost",
    "service_tier",
    "region",
    "request_id",
)
TOKEN_FIELDS = ("input", "input_uncached", "cache_read", "cache_write", "cache_write_1h", "output", "reasoning")
EXAMPLE = """[columns]
created = "ts"
model_name = "model"
prompt_tokens = "input"
completion_tokens = "output"
cost_usd = "cost"
team = "tag:team"

[constants]
provider = "openai"
"""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Units(_Strict):
    tokens: int = Field(default=1, ge=1)
    cost: Literal["usd", "cents"] = "usd"
    input_includes_cache: bool = True


class TimeSpec(_Strict):
    format: str | None = None


class RecordSpec(_Strict):
    kind: Literal["call", "bucket", "cost"] = "call"


class Mapping(_Strict):
    columns: dict[str, str]
    constants: dict[str, str] = Field(default_factory=dict)
    units: Units = Units()
    time: TimeSpec = TimeSpec()
    record: RecordSpec = RecordSpec()

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, v: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for col, f in v.items():
            if f not in FIELDS and not (f.startswith("tag:") and len(f) > 4):
                raise ValueError(f"column {col!r}: unknown field {f!r} (fields: {', '.join(FIELDS)}, tag:<key>)")
            if f in seen:
                raise ValueError(f"field {f!r} is mapped twice ({seen[f]!r} and {col!r})")
            seen[f] = col
        return v

    @field_validator("constants")
    @classmethod
    def _known_constants(cls, v: dict[str, str]) -> dict[str, str]:
        for f in v:
            if f not in ("provider", "platform", "model", "service_tier", "region"):
                raise ValueError(f"constant {f!r}: only provider, platform, model, service_tier, region")
        return v

    def column(self, field: str) -> str | None:
        for col, f in self.columns.items():
            if f == field:
                return col
        return None

    def check(self) -> None:
        has = set(self.columns.values()) | set(self.constants)
        missing = [f for f in ("ts", "model") if f not in has]
        if missing:
            raise ValueError(f"map a column (or a constant) to: {', '.join(missing)}")
        if self.record.kind == "cost" and "cost" not in has:
            raise ValueError("record kind 'cost' needs a column mapped to 'cost'")
        if self.record.kind != "cost" and not (has & {"input", "input_uncached", "output"}):
            raise ValueError("map at least one token column (input, input_uncached or output)")


def load_mapping(path: Path) -> Mapping:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"--mapping: no such file {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise UsageError(f"--mapping {path}: not valid TOML: {e}") from None
    try:
        m = Mapping.model_validate(data)
        m.check()
    except (ValidationError, ValueError) as e:
        raise UsageError(f"--mapping {path}: {e}", hint="See 'aispend formats' (generic) for an example.") from None
    return m


@register
@dataclass
class Generic(LogFormat):
    name = "generic"
    title = "Any CSV/Parquet described by a TOML column mapping (--mapping FILE)"
    identifies = "--mapping FILE; used for tabular files no other format recognises that have the mapped columns"
    example = "aispend ingest usage.csv --mapping usage_mapping.toml\n    mapping:\n      " + EXAMPLE.strip().replace(
        "\n", "\n      "
    )
    containers = ("csv", "parquet")
    priority = 99
    mapping: Mapping | None = None

    def with_options(self, **options: Any) -> LogFormat:
        path = options.get("mapping")
        if path is None:
            return self
        return Generic(mapping=load_mapping(Path(path)))

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        if self.mapping is None or not records:
            return False
        keys = {k.lower() for k in records[0]}
        return all(c.lower() in keys for c in self.mapping.columns)

    def read(self, path: Path, container: Container) -> Iterator[pa.Table]:
        if self.mapping is None:
            raise UsageError("Format 'generic' needs --mapping FILE.", hint="See 'aispend formats' (generic).")
        return read_all(path, container, tuple(self.mapping.columns))

    def sql(self) -> str:
        m = self.mapping
        if m is None:
            raise UsageError("Format 'generic' needs --mapping FILE.", hint="See 'aispend formats' (generic).")

        def col(field: str) -> str | None:
            c = m.column(field)
            return q(c) if c is not None else None

        def text(field: str) -> str:
            c = col(field)
            const = m.constants.get(field)
            lit = "'" + const.replace("'", "''") + "'" if const is not None else "null"
            return f"coalesce(nullif(trim({c}), ''), {lit})" if c else lit

        def tokens(field: str) -> str:
            c = col(field)
            return f"coalesce(cast(round(try_cast(trim({c}) as double) * {m.units.tokens}) as bigint), 0)" if c else "0"

        def count(field: str) -> str:
            c = col(field)
            return f"coalesce({int_sql(c)}, 0)" if c else "0"

        raw_ts = col("ts")
        if raw_ts and m.time.format:
            ts = f"try_strptime(trim({raw_ts}), '{m.time.format.replace(chr(39), chr(39) * 2)}')::timestamptz"
        elif raw_ts:
            ts = ts_sql(f"trim({raw_ts})")
        else:
            ts = "null"
        # the model, time, cost and provider are computed once per row, in layers (helper columns: _g_*)
        model = text("model")
        provider = f"coalesce({text('provider')}, _g_vendor, 'unknown')"
        platform = f"coalesce({text('platform')}, {direct_platform_sql('_g_provider')}, _g_provider)"
        cached, w5, w1 = tokens("cache_read"), tokens("cache_write"), tokens("cache_write_1h")
        if col("input_uncached"):
            uncached = tokens("input_uncached")
        elif col("input"):
            uncached = tokens("input") + (f" - {cached} - {w5} - {w1}" if m.units.input_includes_cache else "")
        else:
            uncached = "0"
        cost_col = col("cost")
        cost = dec_sql(cost_col) if cost_col else "null"
        if cost_col and m.units.cost == "cents":
            cost = f"cast({cost} * 0.01 as decimal(38, 12))"
        tag_pairs = [(f[4:], q(c)) for c, f in m.columns.items() if f.startswith("tag:")]
        tags = tag_entries_sql(*tag_pairs) if tag_pairs else "null"
        kind = m.record.kind
        problem = f"""case when _g_ts is null then 'no time (or it does not match the mapping''s time format)'
            when _g_model is null then 'no model'
            {"when _g_cost is null then 'no cost'" if kind == "cost" else ""}
            end"""
        request_id = col("request_id")
        ids = [q(c) for c in m.columns]
        requests = col("requests")
        if kind == "cost":
            request_count = "0"
        else:
            request_count = (
                f"coalesce({int_sql(requests)}, {1 if kind == 'call' else 0})"
                if requests
                else ("1" if kind == "call" else "0")
            )
        cols = staged_select(
            **tab_status(tuple(m.columns), "_g_problem", blank="_g_blank"),
            line="line",
            dedupe_key=(
                f"coalesce('generic:' || nullif(trim({request_id}), ''), {key_sql('generic', *ids)})"
                if request_id
                else key_sql("generic", *ids)
            ),
            record_kind=f"'{kind}'",
            request_count=request_count,
            ts="_g_ts",
            ts_source="'record'",
            provider="_g_provider",
            platform=platform,
            model_raw="_g_model",
            input_uncached=uncached if kind != "cost" else "0",
            cache_read=cached if kind != "cost" else "0",
            cache_write_5m=w5 if kind != "cost" else "0",
            cache_write_1h=w1 if kind != "cost" else "0",
            output=tokens("output") if kind != "cost" else "0",
            reasoning=tokens("reasoning") if kind != "cost" else "0",
            web_searches=count("web_searches") if kind != "cost" else "0",
            service_tier=tier_sql(text("service_tier")),
            region=text("region"),
            tags=tags,
            reported_cost="_g_cost",
            request_id=f"nullif(trim({request_id}), '')" if request_id else "null",
        )
        src = layer("select * from recs", _g_model=model, _g_ts=ts, _g_cost=cost)
        src = with_vendor(src, "_g_model", "_g_vendor")
        src = layer(src, _g_provider=provider, _g_blank=blank_sql(tuple(m.columns)), _g_problem=problem)
        return f"select {cols}\nfrom ({src})"
