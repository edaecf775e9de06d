"""`aispend prices list|show`: the price table as data and as terminal tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from finops.pricing import BUCKETS, FEES, PriceTable


def _when(s: str | None, open_label: str = "") -> str:
    """A period bound for display: the day, or day and time when a change did not happen at UTC midnight."""
    if not s:
        return open_label
    return s[:10] if s.endswith("T00:00:00Z") else s[:16] + "Z"


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


def _rates(r: Any) -> dict[str, str | None]:
    return {b: getattr(r, b) for b in BUCKETS}


def history(table: PriceTable, model_id: str) -> dict[str, Any]:
    """Everything that can price a call of `model_id`: periods (tiers, windows), aliases, service-tier
    rules, the platform it belongs to, and the loaded contract's rules for it."""
    pm = table.priced(model_id)
    assert pm is not None
    provider, m = pm.provider, pm.entry
    pf = table.providers[provider]
    periods = []
    for p in m.periods:
        src = pf.sources.get(p.source)
        periods.append(
            {
                "from": _iso(p.start),
                "to": _iso(p.end),
                "from_verified": p.start_verified,
                "source": p.source,
                "source_url": src.url if src else None,
                "confidence": p.confidence,
                "note": p.note,
                **_rates(p),
                "tiers": [{"above_prompt_tokens": t.above, **_rates(t)} for t in p.tiers],
                "windows": [
                    {
                        "name": w.name,
                        "tz": w.tz,
                        "weekdays": w.weekdays,
                        "times": w.times,
                        "from": _iso(w.start or p.start),
                        "to": _iso(w.end or p.end),
                        "factor": w.factor,
                        **_rates(w),
                        "confidence": w.confidence or p.confidence,
                        "note": w.note,
                    }
                    for w in p.windows
                ],
            }
        )
    aliases = [
        {"name": r.name, "platform": r.platform or None, "from": _iso(r.start), "to": _iso(r.end)}
        for r in table.name_rows
        if r.kind == "alias" and r.model == model_id
    ]
    for a in aliases:
        a["to"] = None if a["to"] and a["to"].startswith("2200") else a["to"]
    modifiers = [
        {
            "service_tier": x.service_tier,
            "factor": x.factor,
            "factors": {b: getattr(x.factors, b) for b in BUCKETS if getattr(x.factors, b) is not None},
            "rates": {b: v for b, v in _rates(x).items() if v is not None},
            "tiers": [{"above_prompt_tokens": t.above, **_rates(t)} for t in x.tiers],
            "from": _iso(x.start),
            "to": _iso(x.end),
            "source": x.source,
            "confidence": x.confidence,
            "note": x.note,
        }
        for x in table.modifiers_for(model_id)
    ]
    fees = [
        {
            **{f: getattr(x, f) for f in FEES if getattr(x, f) is not None},
            "from": _iso(x.start),
            "to": _iso(x.end),
            "source": x.source,
            "confidence": x.confidence,
            "note": x.note,
        }
        for x in table.fees_for(model_id)
    ]
    contract: list[dict[str, Any]] = []
    if table.contract is not None:
        for row in table.contract.rows:
            if row[0] == model_id:
                contract.append(
                    {
                        "rule": row[4],
                        "service_tier": row[1],
                        "from": _iso(row[2]),
                        "to": None if row[3].year >= 2200 else _iso(row[3]),
                        "discount_pct": str((row[5] * 100).normalize()) if row[5] else None,
                        "rates": {
                            b: str(v) for b, v in zip(BUCKETS, row[6 : 6 + len(BUCKETS)], strict=True) if v is not None
                        },
                    }
                )
    return {
        "provider": provider,
        "platform": pm.platform or None,
        "route": pm.route or None,
        "vendor": pm.vendor,
        "inherits": None
        if pm.inherited is None
        else {
            "provider": pm.inherited.provider,
            "model": pm.base,
            "factor": pm.inherited.factor,
            "source": pm.inherited.source,
            "confidence": pm.inherited.confidence,
        },
        "model": m.id,
        "name": m.name,
        "match": pm.names + [x + "*" for x in pm.patterns],
        "price_version": table.version,
        "periods": periods,
        "aliases": aliases,
        "modifiers": modifiers,
        "fees_per_1000_requests": fees,
        "contract": contract,
        "contract_file": None if table.contract is None else str(table.contract.path),
    }


def show(console: Console, doc: dict[str, Any]) -> None:
    console.print(f"[bold]{doc['model']}[/bold] ({doc['name']}, {doc['provider']}), price table {doc['price_version']}")
    if doc.get("platform"):
        route = f", route {doc['route']}" if doc.get("route") else ""
        console.print(f"  prices calls on platform '{doc['platform']}'{route} only", markup=False)
    if doc.get("inherits"):
        i = doc["inherits"]
        factor = f" x {i['factor']}" if i["factor"] else ""
        console.print(
            f"  = {i['provider']}'s list price for {i['model']}{factor} [{i['source']}, {i['confidence']}]",
            markup=False,
        )
    if doc["match"]:
        console.print(f"  also logged as: {', '.join(doc['match'])}", markup=False)
    for a in doc["aliases"]:
        where = f" on {a['platform']}" if a.get("platform") else ""
        console.print(f"  alias '{a['name']}'{where} points here from {a['from']} to {a['to'] or 'now'}", markup=False)
    t = Table(show_edge=False, title="USD per 1M tokens", title_justify="left")
    for c in ("from", "to", "prompt", "input", "cache read", "write 5m", "write 1h", "output", "conf", "source"):
        t.add_column(c, no_wrap=True, min_width=17 if c in ("from", "to") else None)
    for p in doc["periods"]:
        bands = [("all" if not p["tiers"] else f"<= {p['tiers'][0]['above_prompt_tokens']:,}", p)]
        bands += [(f"> {tier['above_prompt_tokens']:,}", tier) for tier in p["tiers"]]
        for label, r in bands:
            t.add_row(
                _when(p["from"]) + ("" if p.get("from_verified", True) else " (?)"),
                _when(p["to"], "open"),
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
    for p in doc["periods"]:
        for label, r in [("", p)] + [(f" (> {x['above_prompt_tokens']:,})", x) for x in p["tiers"]]:
            if r.get("audio_in") or r.get("audio_out"):
                console.print(
                    f"  audio from {_when(p['from'])}{label}: in {r.get('audio_in') or '-'}, "
                    f"out {r.get('audio_out') or '-'} per 1M audio tokens",
                    markup=False,
                )
    if any(not p.get("from_verified", True) for p in doc["periods"]):
        console.print("  (?) launch day not in the sources: the period's 'from' is a placeholder", markup=False)
    for p in doc["periods"]:
        for w in p.get("windows", []):
            days = "every day" if len(w["weekdays"]) == 7 else ",".join(w["weekdays"])
            what = (
                f"x{w['factor']}" if w["factor"] else " / ".join(f"{b} {w[b]}" for b in BUCKETS if w.get(b) is not None)
            )
            console.print(
                f"  window {w['name'] or ''} {', '.join(w['times'])} {w['tz']} {days}, {w['from'][:16]} to "
                f"{(w['to'] or 'open')[:16]}: {what} [{w['confidence']}]",
                markup=False,
            )
    for x in doc["modifiers"]:
        parts = []
        if x["factor"]:
            parts.append(f"x{x['factor']}")
        parts += [f"{b} x{f}" for b, f in x.get("factors", {}).items()]
        parts += [f"{b} {v}" for b, v in x.get("rates", {}).items()]
        parts += [f">{t['above_prompt_tokens']:,}: explicit" for t in x.get("tiers", [])]
        console.print(
            f"  {x['service_tier']}: {', '.join(parts)} from {x['from'][:10]} to "
            f"{(x['to'] or 'now')[:10]} [{x['source']}, {x['confidence']}]",
            markup=False,
        )
    for x in doc.get("fees_per_1000_requests", []):
        what = ", ".join(f"{f} {x[f]}" for f in FEES if x.get(f) is not None)
        console.print(
            f"  fees per 1,000 requests: {what} from {x['from'][:10]} to {(x['to'] or 'now')[:10]} "
            f"[{x['source']}, {x['confidence']}]",
            markup=False,
        )
    for k in doc.get("contract", []):
        what = f"{k['discount_pct']}% off list" if k["discount_pct"] else ""
        if k["rates"]:
            what = (what + "; " if what else "") + "committed " + " / ".join(f"{b} {v}" for b, v in k["rates"].items())
        console.print(
            f"  contract {k['rule']} ({k['service_tier']}): {what} from {k['from'][:10]} to {(k['to'] or 'now')[:10]}"
            f" [{doc['contract_file']}]",
            markup=False,
        )
