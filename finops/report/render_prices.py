"""`aispend prices list|show`: the price table as data and as terminal tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from finops.pricing import BUCKETS, PriceTable


def _iso(d: datetime | None) -> str | None:
    return None if d is None else d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def current_rows(table: PriceTable, provider: str | None = None, at: datetime | None = None) -> list[dict[str, Any]]:
    """One row per model: the period in force at `at` (default now), or the last one."""
    at = at or datetime.now(UTC)
    rows = []
    for prov, m in table.models():
        if provider and prov != provider:
            continue
        current = m.periods[-1]
        for p in m.periods:
            if p.start <= at and (p.end is None or at < p.end):
                current = p
        rows.append(
            {
                "provider": prov,
                "model": m.id,
                "name": m.name,
                "from": _iso(current.start),
                "to": _iso(current.end),
                **{b: getattr(current, b) for b in BUCKETS},
                "tiers": [t.above for t in current.tiers],
                "periods": len(m.periods),
                "confidence": current.confidence,
            }
        )
    return rows


def list_table(console: Console, table: PriceTable, rows: list[dict[str, Any]]) -> None:
    t = Table(
        title=f"Price table {table.version}: USD per 1M tokens (current period)", title_justify="left", show_edge=False
    )
    for c in ("provider", "model", "input", "cache read", "write 5m", "write 1h", "output", "since", "hist", "tier"):
        t.add_column(c, justify="right" if c not in ("provider", "model", "since") else "left")
    for r in rows:
        t.add_row(
            r["provider"],
            r["model"],
            r["input"],
            r["cache_read"] or "-",
            r["cache_write_5m"] or "-",
            r["cache_write_1h"] or "-",
            r["output"],
            (r["from"] or "")[:10],
            str(r["periods"]),
            ">" + ",>".join(f"{x:,}" for x in r["tiers"]) if r["tiers"] else "",
        )
    console.print(t)


def history(table: PriceTable, model_id: str) -> dict[str, Any]:
    found = table.model(model_id)
    assert found is not None
    provider, m = found
    pf = table.providers[provider]
    periods = []
    for p in m.periods:
        periods.append(
            {
                "from": _iso(p.start),
                "to": _iso(p.end),
                "source": p.source,
                "source_url": pf.sources[p.source].url,
                "confidence": p.confidence,
                "note": p.note,
                **{b: getattr(p, b) for b in BUCKETS},
                "tiers": [{"above_prompt_tokens": t.above, **{b: getattr(t, b) for b in BUCKETS}} for t in p.tiers],
            }
        )
    aliases = [
        {"name": a.name, "from": _iso(a.start), "to": _iso(a.end), "source": a.source}
        for a in pf.aliases
        if a.target == model_id
    ]
    modifiers = [
        {
            "service_tier": x.service_tier,
            "factor": x.factor,
            "from": _iso(x.start),
            "to": _iso(x.end),
            "source": x.source,
            "confidence": x.confidence,
        }
        for x in pf.modifiers
        if any(pat == model_id or (pat.endswith("*") and model_id.startswith(pat[:-1])) for pat in x.models)
    ]
    return {
        "provider": provider,
        "model": m.id,
        "name": m.name,
        "match": m.match,
        "price_version": table.version,
        "periods": periods,
        "aliases": aliases,
        "modifiers": modifiers,
    }


def show(console: Console, doc: dict[str, Any]) -> None:
    console.print(f"[bold]{doc['model']}[/bold] ({doc['name']}, {doc['provider']}), price table {doc['price_version']}")
    if doc["match"]:
        console.print(f"  also logged as: {', '.join(doc['match'])}", markup=False)
    for a in doc["aliases"]:
        console.print(
            f"  alias '{a['name']}' points here from {a['from']} to {a['to'] or 'now'} [{a['source']}]", markup=False
        )
    t = Table(show_edge=False, title="USD per 1M tokens", title_justify="left")
    for c in ("from", "to", "prompt", "input", "cache read", "write 5m", "write 1h", "output", "conf", "source"):
        t.add_column(c)
    for p in doc["periods"]:
        bands = [("all" if not p["tiers"] else f"<= {p['tiers'][0]['above_prompt_tokens']:,}", p)]
        bands += [(f"> {tier['above_prompt_tokens']:,}", tier) for tier in p["tiers"]]
        for label, r in bands:
            t.add_row(
                (p["from"] or "")[:10],
                (p["to"] or "open")[:10],
                label,
                r["input"] or "-",
                r["cache_read"] or "-",
                r["cache_write_5m"] or "-",
                r["cache_write_1h"] or "-",
                r["output"] or "-",
                p["confidence"],
                p["source"],
            )
    console.print(t)
    for x in doc["modifiers"]:
        console.print(
            f"  {x['service_tier']}: x{x['factor']} from {x['from'][:10]} to "
            f"{(x['to'] or 'now')[:10]} [{x['source']}, {x['confidence']}]",
            markup=False,
        )
