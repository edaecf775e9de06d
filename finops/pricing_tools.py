"""Tools over the price table: lint (`prices check`), diff of two tables (`prices diff`), and proposals
from other datasets (`prices import`). They read and compare; none of them writes pricing/.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from finops.errors import PriceFileError, UsageError
from finops.pricing import (
    BUCKETS,
    CACHE_BUCKETS,
    FEES,
    OPEN_END,
    CacheMultiples,
    ModelEntry,
    Period,
    PriceTable,
    Rates,
)

# ---------------------------------------------------------------- lint


@dataclass
class Finding:
    file: str
    model: str | None
    field: str
    message: str
    kind: str = "warning"  # warning | unverified

    def line(self) -> str:
        where = f"model '{self.model}' " if self.model else ""
        return f"{self.file}: {where}{self.field}: {self.message}"


def _ratio(a: str | None, b: str | None) -> Decimal | None:
    if a is None or b is None or Decimal(b) == 0:
        return None
    return (Decimal(a) / Decimal(b)).quantize(Decimal("0.0001"))


def _lint_cache_multiples(
    fname: str, provider: str, model: str, where: str, p: Period, multiples: CacheMultiples | None
) -> list[Finding]:
    """Cache rates that are not one of the provider's usual multiples of input: usually a typo, sometimes a
    published exception. A period's `cache_exceptions` acknowledge the exact rate (bucket and value, with a
    source), so only that rate is let through; an exception no band needs is reported as stale."""
    out: list[Finding] = []
    acked = {(x.bucket, Decimal(x.rate)) for x in p.cache_exceptions}
    needed: set[tuple[str, Decimal]] = set()
    bands: list[tuple[str, Rates]] = [(where, p)] + [(f"{where}.tiers[{j}]", t) for j, t in enumerate(p.tiers)]
    for label, r in bands:
        for bucket in CACHE_BUCKETS:
            allowed = [Decimal(x) for x in getattr(multiples, bucket)] if multiples is not None else []
            rate = getattr(r, bucket)
            ratio = _ratio(rate, r.input)
            if not allowed or ratio is None or ratio in allowed:
                continue
            if (bucket, Decimal(rate)) in acked:
                needed.add((bucket, Decimal(rate)))
                continue
            out.append(
                Finding(
                    fname,
                    model,
                    f"{label}.{bucket}",
                    f"{rate} is {ratio.normalize()}x input {r.input}; "
                    f"{provider}'s usual multiples are {', '.join(map(str, allowed))}",
                )
            )
    for k, x in enumerate(p.cache_exceptions):
        if (x.bucket, Decimal(x.rate)) not in needed:
            out.append(
                Finding(
                    fname,
                    model,
                    f"{where}.cache_exceptions[{k}]",
                    f"{x.bucket} = {x.rate} is a usual multiple of input (or {provider} lists no "
                    "cache_multiples): the exception is not needed",
                )
            )
    return out


def lint(table: PriceTable) -> list[Finding]:
    """Soft problems the schema allows: unusual cache multiples, gaps between periods, sources without
    a URL, and (kind 'unverified') every period or rule graded C."""
    out: list[Finding] = []
    for provider, pf in sorted(table.providers.items()):
        fname = f"{provider}.toml"
        for sid, src in sorted(pf.sources.items()):
            if not src.url and not src.note:
                out.append(Finding(fname, None, f"sources.{sid}", "no url and no note: an auditor cannot follow it"))
        multiples = pf.cache_multiples
        for m in pf.models:
            for i, p in enumerate(m.periods):
                where = f"periods[{i}]"
                if i + 1 < len(m.periods) and p.end is not None and p.end < m.periods[i + 1].start:
                    out.append(
                        Finding(
                            fname,
                            m.id,
                            where,
                            f"gap: ends {p.end:%Y-%m-%dT%H:%MZ}, next period starts "
                            f"{m.periods[i + 1].start:%Y-%m-%dT%H:%MZ} (calls between are unpriced)",
                        )
                    )
                if p.confidence == "C":
                    out.append(
                        Finding(fname, m.id, where, f"from {p.start:%Y-%m-%d}: grade C: {p.note or ''}", "unverified")
                    )
                out.extend(_lint_cache_multiples(fname, provider, m.id, where, p, multiples))
                for j, w in enumerate(p.windows):
                    if (w.confidence or p.confidence) == "C":
                        out.append(Finding(fname, m.id, f"{where}.windows[{j}]", "grade C window", "unverified"))
        for i, x in enumerate(pf.modifiers):
            if x.confidence == "C":
                out.append(
                    Finding(
                        fname,
                        None,
                        f"modifiers[{i}] ({x.service_tier} {x.models})",
                        f"from {x.start:%Y-%m-%d}: grade C: {x.note or ''}",
                        "unverified",
                    )
                )
        for i, fee in enumerate(pf.fees):
            if fee.confidence == "C":
                out.append(
                    Finding(
                        fname,
                        None,
                        f"fees[{i}] ({fee.models})",
                        f"from {fee.start:%Y-%m-%d}: grade C: {fee.note or ''}",
                        "unverified",
                    )
                )
        for i, inh in enumerate(pf.inherit):
            if inh.confidence == "C":
                out.append(Finding(fname, None, f"inherit[{i}] ({inh.provider})", "grade C", "unverified"))
    return out


# ---------------------------------------------------------------- diff


def _period_key(p: Period) -> str:
    return p.start.strftime("%Y-%m-%dT%H:%M:%SZ")


def _rates(r: Any) -> dict[str, str | None]:
    return {b: getattr(r, b) for b in BUCKETS}


def _period_view(p: Period) -> dict[str, Any]:
    return {
        "to": None if p.end is None else p.end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        **_rates(p),
        "tiers": [{"above": t.above, **_rates(t)} for t in p.tiers],
        "windows": [
            {
                "tz": w.tz,
                "weekdays": w.weekdays,
                "times": w.times,
                "from": None if w.start is None else w.start.isoformat(),
                "to": None if w.end is None else w.end.isoformat(),
                "factor": w.factor,
                **_rates(w),
            }
            for w in p.windows
        ],
        "source": p.source,
        "confidence": p.confidence,
    }


def diff(a: PriceTable, b: PriceTable) -> dict[str, Any]:
    """Added / removed / changed models and periods (keyed by their start), modifiers and aliases."""
    ma = {m.id: (prov, m) for prov, m in a.models()}
    mb = {m.id: (prov, m) for prov, m in b.models()}
    out: dict[str, Any] = {
        "a": {"directory": str(a.directory), "version": a.version, "digest": a.digest},
        "b": {"directory": str(b.directory), "version": b.version, "digest": b.digest},
        "added_models": sorted(set(mb) - set(ma)),
        "removed_models": sorted(set(ma) - set(mb)),
        "models": {},
    }
    for mid in sorted(set(ma) & set(mb)):
        pa = {_period_key(p): p for p in ma[mid][1].periods}
        pb = {_period_key(p): p for p in mb[mid][1].periods}
        entry: dict[str, Any] = {}
        added = sorted(set(pb) - set(pa))
        removed = sorted(set(pa) - set(pb))
        changed = {}
        for k in sorted(set(pa) & set(pb)):
            va, vb = _period_view(pa[k]), _period_view(pb[k])
            delta = {f: [va[f], vb[f]] for f in va if va[f] != vb[f]}
            if delta:
                changed[k] = delta
        if added:
            entry["added_periods"] = {k: _period_view(pb[k]) for k in added}
        if removed:
            entry["removed_periods"] = {k: _period_view(pa[k]) for k in removed}
        if changed:
            entry["changed_periods"] = changed
        mods_a = sorted(_mod_view(x) for x in a.modifiers_for(mid))
        mods_b = sorted(_mod_view(x) for x in b.modifiers_for(mid))
        if mods_a != mods_b:
            entry["modifiers"] = {
                "removed": [json.loads(x) for x in mods_a if x not in mods_b],
                "added": [json.loads(x) for x in mods_b if x not in mods_a],
            }
        fees_a = sorted(_fee_view(x) for x in a.fees_for(mid))
        fees_b = sorted(_fee_view(x) for x in b.fees_for(mid))
        if fees_a != fees_b:
            entry["fees"] = {
                "removed": [json.loads(x) for x in fees_a if x not in fees_b],
                "added": [json.loads(x) for x in fees_b if x not in fees_a],
            }
        if entry:
            out["models"][mid] = entry
    al_a = {(r.name, r.platform, r.start.isoformat(), r.model) for r in a.name_rows if r.kind == "alias"}
    al_b = {(r.name, r.platform, r.start.isoformat(), r.model) for r in b.name_rows if r.kind == "alias"}
    out["aliases"] = {
        "added": [list(x) for x in sorted(al_b - al_a)],
        "removed": [list(x) for x in sorted(al_a - al_b)],
    }
    return out


def _band_view(t: Any) -> dict[str, Any]:
    return {"above": t.above, **{k: v for k, v in _rates(t).items() if v is not None}}


def _mod_view(x: Any) -> str:
    """A rule as compared by `prices diff`: every field that changes a rate (per-bucket factors and explicit
    long-context bands included, or a change to them would diff as 'no differences')."""
    return json.dumps(
        {
            "service_tier": x.service_tier,
            "from": x.start.isoformat(),
            "to": None if x.end is None else x.end.isoformat(),
            "factor": x.factor,
            **{k: v for k, v in _rates(x).items() if v is not None},
            **{f"factor_{b}": v for b in BUCKETS if (v := getattr(x.factors, b)) is not None},
            **({"tiers": [_band_view(t) for t in x.tiers]} if x.tiers else {}),
        },
        sort_keys=True,
    )


def _fee_view(x: Any) -> str:
    """A per-request fee rule as compared by `prices diff`."""
    return json.dumps(
        {
            "from": x.start.isoformat(),
            "to": None if x.end is None else x.end.isoformat(),
            **{f: v for f in FEES if (v := getattr(x, f)) is not None},
        },
        sort_keys=True,
    )


def diff_lines(d: dict[str, Any]) -> list[str]:
    lines = [
        f"A: {d['a']['directory']} ({d['a']['version']}, {d['a']['digest']})",
        f"B: {d['b']['directory']} ({d['b']['version']}, {d['b']['digest']})",
    ]
    for m in d["added_models"]:
        lines.append(f"+ model {m}")
    for m in d["removed_models"]:
        lines.append(f"- model {m}")
    for mid, e in d["models"].items():
        for k, v in e.get("added_periods", {}).items():
            lines.append(f"+ {mid} period from {k}: " + _short(v))
        for k, v in e.get("removed_periods", {}).items():
            lines.append(f"- {mid} period from {k}: " + _short(v))
        for k, delta in e.get("changed_periods", {}).items():
            parts = [f"{f} {json.dumps(old)} -> {json.dumps(new)}" for f, (old, new) in delta.items()]
            lines.append(f"~ {mid} period from {k}: " + "; ".join(parts))
        mods = e.get("modifiers")
        if mods:
            for x in mods["removed"]:
                lines.append(f"- {mid} modifier {json.dumps(x, sort_keys=True)}")
            for x in mods["added"]:
                lines.append(f"+ {mid} modifier {json.dumps(x, sort_keys=True)}")
        fees = e.get("fees")
        if fees:
            for x in fees["removed"]:
                lines.append(f"- {mid} fee {json.dumps(x, sort_keys=True)}")
            for x in fees["added"]:
                lines.append(f"+ {mid} fee {json.dumps(x, sort_keys=True)}")
    for x in d["aliases"]["added"]:
        lines.append(f"+ alias {x[0]} -> {x[3]} from {x[2]}" + (f" on {x[1]}" if x[1] else ""))
    for x in d["aliases"]["removed"]:
        lines.append(f"- alias {x[0]} -> {x[3]} from {x[2]}" + (f" on {x[1]}" if x[1] else ""))
    if len(lines) == 2:
        lines.append("no differences in prices, periods, modifiers, fees or aliases")
    return lines


def _short(v: dict[str, Any]) -> str:
    rates = " / ".join(f"{b}={v[b]}" for b in BUCKETS if v.get(b) is not None)
    extra = f", {len(v['tiers'])} tier(s)" if v.get("tiers") else ""
    extra += f", {len(v['windows'])} window(s)" if v.get("windows") else ""
    return f"{rates}{extra} to {v['to'] or 'open'} [{v['source']}, {v['confidence']}]"


# ---------------------------------------------------------------- import (proposals only)

GENAI_KEYS = {
    "input_mtok": "input",
    "cache_read_mtok": "cache_read",
    "cache_write_mtok": "cache_write_5m",
    "cache_write_1h_mtok": "cache_write_1h",
    "output_mtok": "output",
}


@dataclass
class ExtPeriod:
    start: date | None
    rates: dict[str, str]
    tiers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    window: tuple[str, str] | None = None  # (HH:MM, HH:MM) UTC time-of-day constraint


@dataclass
class ExtVariant:
    service_tier: str
    start: date | None
    rates: dict[str, str]


@dataclass
class ExtModel:
    id: str
    name: str | None
    names: list[str]
    prefixes: list[str]
    periods: list[ExtPeriod]
    variants: list[ExtVariant] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # price keys not imported


def _dec(value: Any) -> str:
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise PriceFileError(f"not a number: {value!r}") from None
    return _fmt(d)


def _fmt(d: Decimal) -> str:
    d = d.quantize(Decimal("0.000001")).normalize()
    s = format(d, "f")
    return s


def _genai_prices(
    prices: dict[str, Any], dropped: list[str]
) -> tuple[dict[str, str], list[tuple[int, dict[str, str]]]]:
    base: dict[str, str] = {}
    tiered: dict[str, list[tuple[int, str]]] = {}
    for key, value in prices.items():
        bucket = GENAI_KEYS.get(key)
        if bucket is None:
            if key not in dropped:
                dropped.append(key)
            continue
        if isinstance(value, dict):
            base[bucket] = _dec(value["base"])
            tiered[bucket] = [(int(t["start"]), _dec(t["price"])) for t in value.get("tiers", [])]
        else:
            base[bucket] = _dec(value)
    thresholds = sorted({s for ts in tiered.values() for s, _ in ts})
    tiers = []
    for t in thresholds:
        band = dict(base)
        for bucket, ts in tiered.items():
            for start, price in ts:
                if start <= t:
                    band[bucket] = price
        tiers.append((t, band))
    return base, tiers


def _match_names(match: Any, names: list[str], prefixes: list[str]) -> None:
    if not isinstance(match, dict):
        return
    for k, v in match.items():
        if k in ("or", "or_", "and", "and_"):
            for x in v:
                _match_names(x, names, prefixes)
        elif k == "equals":
            names.append(str(v).lower())
        elif k == "starts_with":
            prefixes.append(str(v).lower())


def _as_date(v: Any) -> date:
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v)[:10])


def _hhmm(v: Any) -> str:
    s = str(v)
    return s[:5]


def genai_models(data: dict[str, Any]) -> list[ExtModel]:
    """A genai-prices provider document (the YAML in prices/providers/, or its JSON form) → models."""
    out = []
    for m in data.get("models", []):
        names: list[str] = []
        prefixes: list[str] = []
        _match_names(m.get("match"), names, prefixes)
        mid = str(m["id"]).lower()
        if mid not in names:
            names.insert(0, mid)
        dropped: list[str] = []
        periods: list[ExtPeriod] = []
        prices = m.get("prices", {})
        entries = prices if isinstance(prices, list) else [{"prices": prices}]
        for e in entries:
            base, tiers = _genai_prices(e.get("prices") or {}, dropped)
            if "input" not in base or "output" not in base:
                continue
            c = e.get("constraint") or {}
            if "start_time" in c:
                periods.append(ExtPeriod(None, base, tiers, (_hhmm(c["start_time"]), _hhmm(c["end_time"]))))
            else:
                start = _as_date(c["start_date"]) if "start_date" in c else None
                periods.append(ExtPeriod(start, base, tiers))
        variants = []
        for v in m.get("price_variants") or []:
            when = v.get("when") or {}
            tier = when.get("service_tier") or ("batch" if when.get("processing") == "batch" else None)
            if when.get("speed") == "fast":
                tier = "fast"
            if tier not in ("batch", "flex", "priority", "fast"):
                continue
            base, _tiers = _genai_prices(v.get("prices") or {}, dropped)
            c = v.get("constraint") or {}
            variants.append(ExtVariant(tier, _as_date(c["start_date"]) if "start_date" in c else None, base))
        if not periods:
            continue
        out.append(ExtModel(mid, m.get("name"), names, prefixes, periods, variants, dropped))
    return out


LITELLM_TIERS = ("batches", "flex", "priority")


def litellm_models(data: dict[str, Any], provider: str | None = None) -> list[ExtModel]:
    """LiteLLM's model_prices_and_context_window.json (USD per token, floats) → models (USD per 1M, strings)."""
    out = []
    for key, v in sorted(data.items()):
        if key == "sample_spec" or not isinstance(v, dict):
            continue
        if provider and v.get("litellm_provider") != provider:
            continue
        if v.get("mode") not in (None, "chat", "completion", "responses"):
            continue
        if "input_cost_per_token" not in v or "output_cost_per_token" not in v:
            continue

        def per_m(x: Any) -> str:
            return _fmt(Decimal(repr(float(x))) * 1_000_000)

        fields = {
            "input": "input_cost_per_token",
            "cache_read": "cache_read_input_token_cost",
            "cache_write_5m": "cache_creation_input_token_cost",
            "cache_write_1h": "cache_creation_input_token_cost_above_1hr",
            "output": "output_cost_per_token",
        }
        rates = {b: per_m(v[f]) for b, f in fields.items() if v.get(f) is not None}
        thresholds = sorted(
            {
                int(k.split("_above_")[1].split("k_tokens")[0]) * 1000
                for k in v
                if "_above_" in k and k.endswith("k_tokens") and k.split("_above_")[1].split("k_tokens")[0].isdigit()
            }
        )
        tiers = []
        for t in thresholds:
            band = dict(rates)
            for b, f in fields.items():
                x = v.get(f"{f}_above_{t // 1000}k_tokens")
                if x is not None:
                    band[b] = per_m(x)
            tiers.append((t, band))
        variants = []
        for suffix in LITELLM_TIERS:
            vr = {b: per_m(v[f"{f}_{suffix}"]) for b, f in fields.items() if v.get(f"{f}_{suffix}") is not None}
            if vr:
                variants.append(ExtVariant("batch" if suffix == "batches" else suffix, None, vr))
        name = key.lower()
        short = name.split("/", 1)[1] if "/" in name else name
        names = [short] if short == name else [short, name]
        out.append(ExtModel(short, None, names, [], [ExtPeriod(None, rates, tiers)], variants))
    return out


def read_source(kind: str, path: Path, provider: str | None = None) -> list[ExtModel]:
    if not path.is_file():
        raise UsageError(f"No such file: {path}")
    text = path.read_text(encoding="utf-8")
    if kind == "litellm":
        try:
            return litellm_models(json.loads(text), provider)
        except json.JSONDecodeError as e:
            raise UsageError(f"{path}: not JSON: {e}") from None
    if kind != "genai-prices":
        raise UsageError(f"--from {kind}: expected genai-prices or litellm")
    if path.suffix == ".json":
        data = json.loads(text)
    else:
        try:
            import yaml
        except ImportError:
            raise UsageError(
                f"{path}: reading genai-prices YAML needs PyYAML", hint="pip install pyyaml, or pass the JSON form."
            ) from None
        data = yaml.safe_load(text)
    if isinstance(data, dict) and "providers" in data and provider:
        data = next((p for p in data["providers"] if p.get("id") == provider), {})
    if not isinstance(data, dict):
        raise UsageError(f"{path}: not a genai-prices provider document")
    return genai_models(data)


def _current(m: ModelEntry, at: datetime) -> Period | None:
    for p in m.periods:
        if p.start <= at < (p.end or OPEN_END):
            return p
    return None


def _ext_at(e: ExtModel, at: date) -> ExtPeriod | None:
    dated = [p for p in e.periods if p.window is None and (p.start is None or p.start <= at)]
    dated.sort(key=lambda p: p.start or date.min)
    return dated[-1] if dated else None


def _toml_rates(rates: dict[str, str], indent: str) -> list[str]:
    return [f'{indent}{b} = "{rates[b]}"' for b in BUCKETS if b in rates]


def _toml_period(p: ExtPeriod, start: date, end: date | None, source: str, conf: str, note: str) -> list[str]:
    lines = [
        "  [[models.periods]]",
        f"  from = {start.isoformat()}T00:00:00Z",
    ]
    if end:
        lines.append(f"  to = {end.isoformat()}T00:00:00Z")
    lines += [f'  source = "{source}"', f'  confidence = "{conf}"', f'  note = "{note}"']
    lines += _toml_rates(p.rates, "  ")
    for above, band in p.tiers:
        lines += ["", "    [[models.periods.tiers]]", f"    above = {above}", *_toml_rates(band, "    ")]
    return lines


def model_toml(e: ExtModel, since: date, source: str) -> list[str]:
    """A [[models]] block for a model the table does not have (dated periods kept; the first period starts
    at `since`, marked unverified)."""
    lines = ["[[models]]", f'id = "{e.id}"', f'name = "{e.name or e.id}"']
    match = [n for n in e.names if n != e.id] + [p + "*" for p in e.prefixes]
    if match:
        lines.append("match = [" + ", ".join(f'"{x}"' for x in match) + "]")
    dated = sorted((p for p in e.periods if p.window is None), key=lambda p: p.start or date.min)
    for i, p in enumerate(dated):
        start = p.start or since
        end = dated[i + 1].start if i + 1 < len(dated) else None
        note = "start date unverified (import default)" if p.start is None else "start date from the source"
        lines += ["", *_toml_period(p, start, end, source, "B" if p.start else "C", note)]
    for p in e.periods:
        if p.window is not None:
            lines.append(f"  # time-of-day price {p.window[0]}-{p.window[1]} UTC in the source: add it as a window")
    if e.dropped:
        lines.append(f"# not imported (no bucket here): {', '.join(sorted(e.dropped))}")
    return lines


@dataclass
class Proposal:
    source: str
    as_of: date
    new: list[ExtModel] = field(default_factory=list)
    changed: list[tuple[str, ExtModel, Period, ExtPeriod, list[str]]] = field(default_factory=list)
    same: int = 0
    tier_notes: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)


def propose(table: PriceTable, models: list[ExtModel], as_of: date, source: str) -> Proposal:
    at = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)
    out = Proposal(source, as_of)
    for e in models:
        ids: list[str] = []
        for n in e.names:
            ids = [i for i in table.lookup(n) if table.priced(i) is not None]
            if ids:
                break
        ours = None
        if ids:
            pm = table.priced(ids[0])
            ours = pm.entry if pm else None
        theirs = _ext_at(e, as_of)
        if ours is None:
            out.new.append(e)
            continue
        cur = _current(ours, at)
        if theirs is None:
            continue
        if cur is None:
            out.retired.append(
                f"{ours.id}: no period here at {as_of.isoformat()} (retired?), but {e.id} is still listed"
            )
            continue
        deltas = []
        for b in BUCKETS:
            mine, new = getattr(cur, b), theirs.rates.get(b)
            if new is not None and (mine is None or Decimal(mine) != Decimal(new)):
                deltas.append(f"{b} {mine or '-'} -> {new}")
        my_tiers = [(t.above, {b: getattr(t, b) for b in BUCKETS if getattr(t, b) is not None}) for t in cur.tiers]
        their_tiers = [(a, r) for a, r in theirs.tiers]
        if [a for a, _ in my_tiers] != [a for a, _ in their_tiers]:
            deltas.append(f"tiers above {[a for a, _ in my_tiers]} -> {[a for a, _ in their_tiers]}")
        if deltas:
            out.changed.append((ours.id, e, cur, theirs, deltas))
        else:
            out.same += 1
        for v in e.variants:
            if not any(x.service_tier == v.service_tier for x in table.modifiers_for(ours.id)):
                out.tier_notes.append(f"{ours.id}: the source prices '{v.service_tier}' ({v.rates}); no rule here")
    return out


def proposal_text(p: Proposal) -> str:
    src_id = "import-" + re.sub(r"[^a-z0-9]+", "-", p.source.lower()).strip("-")
    lines = [
        f"# Proposed price-table changes from {p.source}, as of {p.as_of.isoformat()}.",
        "# Review every line against the provider's page before copying it into pricing/ (nothing was written).",
        f"# {len(p.new)} new model(s), {len(p.changed)} changed, {p.same} unchanged.",
        f'# Add a source first: [sources.{src_id}] url = "..." title = "{p.source}"',
        "",
    ]
    if p.changed:
        lines.append("# ---------------------------------------------------------------- changed")
        for mid, e, cur, theirs, deltas in p.changed:
            lines.append(f"# ~ {mid} (source id {e.id}): " + "; ".join(deltas))
            lines.append(
                f"#   close the current period (from {cur.start:%Y-%m-%d}) with to = {p.as_of.isoformat()}T00:00:00Z"
                ", then append:"
            )
            note = "imported; effective date = import date, check the provider's announcement"
            lines += [f"#   {x}" for x in _toml_period(theirs, p.as_of, None, src_id, "C", note)]
            lines.append("")
    if p.new:
        lines.append("# ---------------------------------------------------------------- new models")
        for e in p.new:
            lines += [*model_toml(e, p.as_of, src_id), ""]
    if p.retired:
        lines.append("# ---------------------------------------------------------------- retired here, listed there")
        lines += [f"# {x}" for x in p.retired]
    if p.tier_notes:
        lines.append("# ---------------------------------------------------------------- service tiers")
        lines += [f"# {x}" for x in p.tier_notes]
    return "\n".join(lines) + "\n"
