"""The aispend command line: parse, call one core function, render. The only module importing typer."""

from __future__ import annotations

import functools
import json
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from finops.errors import AispendError, StrictModeError, UsageError

app = typer.Typer(
    name="aispend",
    help="FinOps for AI spend: ingest provider usage logs, price every call at its own date, "
    "and see what smaller models would save.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
prices_app = typer.Typer(help="The versioned price table (pricing/*.toml).", no_args_is_help=True)
export_app = typer.Typer(help="Export data from the store (CSV, Parquet).", no_args_is_help=True)
app.add_typer(prices_app, name="prices")
app.add_typer(export_app, name="export")

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The one error handler: `Error: <what>` and the hint on stderr, the error's exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AispendError as e:
            if state.debug:
                traceback.print_exc()
            err.print(f"[red]Error:[/red] {escape(e.message)}")
            if e.hint:
                err.print(escape(e.hint))
            raise typer.Exit(int(e.exit_code)) from None

    return wrapper


class State:
    db: Path | None = None
    pricing_dir: Path | None = None
    debug: bool = False


state = State()


def _parse_time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{name}: cannot read '{value}' as a date or time",
            hint="Use ISO 8601, e.g. 2025-06-01 or 2025-06-01T12:00:00Z.",
        ) from None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


Paths = Annotated[
    list[Path], typer.Argument(help="Log files or directories (searched recursively).", show_default=False)
]
Since = Annotated[str | None, typer.Option("--since", help="Only calls at or after this UTC date/time.")]
Until = Annotated[str | None, typer.Option("--until", help="Only calls before this UTC date/time.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON document (money as decimal strings).")]
Strict = Annotated[
    bool, typer.Option("--strict", help="Fail (exit 1) if records were quarantined or calls could not be priced.")
]
AssumeTime = Annotated[
    str | None,
    typer.Option(
        "--assume-time",
        help="Call time for records that carry none (bare Anthropic/Gemini bodies). Default: the file's mtime.",
    ),
]
FormatOpt = Annotated[
    str | None, typer.Option("--format", help="Skip detection: read every file as this format (see 'aispend formats').")
]


@app.callback()
def main(
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", envvar="AISPEND_DB", help="The DuckDB store. Default: ~/.local/share/aispend/aispend.duckdb."
        ),
    ] = None,
    pricing_dir: Annotated[
        Path | None,
        typer.Option(
            "--pricing-dir", envvar="AISPEND_PRICING_DIR", help="Use this price table instead of the bundled one."
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    state.db, state.pricing_dir, state.debug = db, pricing_dir, debug


def _store() -> Any:
    from finops.store import open_store

    return open_store(state.db, state.pricing_dir)


def _progress(res: Any) -> None:
    if res.status == "ingested":
        extra = []
        if res.duplicates:
            extra.append(f"{res.duplicates:,} duplicates")
        if res.quarantined:
            extra.append(f"{res.quarantined:,} quarantined")
        detail = f" ({', '.join(extra)})" if extra else ""
        err.print(f"[dim]ingested[/dim] {res.path}: {res.format}, {res.calls:,} calls{detail}")
        if res.ts_note:
            err.print(f"  [yellow]note[/yellow]: {res.ts_note}")
    elif res.status == "unchanged":
        err.print(f"[dim]unchanged[/dim] {res.path}: {res.note}, nothing to do")
    else:
        err.print(f"[yellow]skipped[/yellow] {res.path}: {res.note}")


def _ingest(store: Any, paths: list[Path], fmt: str | None, assume_time: str | None) -> Any:
    from finops.ingest import ingest

    result = ingest(
        store.con,
        paths,
        format_name=fmt,
        assume_time=_parse_time(assume_time, "--assume-time"),
        progress=_progress,
        command=" ".join(sys.argv[1:])[:500],
    )
    calls, dups, quar = result.total("calls"), result.total("duplicates"), result.total("quarantined")
    n_new = sum(f.status == "ingested" for f in result.files)
    n_same = sum(f.status == "unchanged" for f in result.files)
    n_skip = sum(f.status == "skipped" for f in result.files)
    err.print(
        f"Ingest run {result.run_id}: {n_new} file(s) ingested, {n_same} unchanged, {n_skip} skipped; "
        f"{calls:,} new calls, {dups:,} duplicates, {quar:,} quarantined."
    )
    if quar:
        err.print("  Quarantined records are kept with file:line and reason: 'aispend quarantine'.")
    return result


def _strict_check(store: Any, quarantined: int) -> None:
    row = store.con.execute("select count(*) from scoped_usage where price_status <> 'priced'").fetchone()
    flagged = int(row[0]) if row else 0
    if quarantined or flagged:
        raise StrictModeError(
            f"--strict: {quarantined} record(s) quarantined and {flagged} call(s) not fully priced.",
            hint="See 'aispend quarantine' and the 'Calls not fully priced' table.",
        )


@app.command()
@guarded
def ingest(paths: Paths, fmt: FormatOpt = None, assume_time: AssumeTime = None, strict: Strict = False) -> None:
    """Read log files into the store (idempotent: unchanged files and known calls are skipped).

    Example: aispend ingest ~/.claude/projects/ logs/openai/
    """
    store = _store()
    result = _ingest(store, paths, fmt, assume_time)
    if strict and result.total("quarantined"):
        raise StrictModeError(
            f"--strict: {result.total('quarantined')} record(s) quarantined.", hint="See 'aispend quarantine'."
        )


@app.command()
@guarded
def analyze(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Logs to ingest first (optional).", show_default=False)
    ] = None,
    since: Since = None,
    until: Until = None,
    as_json: AsJson = False,
    strict: Strict = False,
    assume_time: AssumeTime = None,
    fmt: FormatOpt = None,
) -> None:
    """Ingest the given logs, then report spend by month, provider, model and team, what could not be
    priced, and what the 80/20 shift to small models would save.

    Example: aispend analyze sample_logs/
    """
    from finops.report import analyze as an
    from finops.report import render
    from finops.scope import set_scope

    store = _store()
    quarantined = 0
    if paths:
        quarantined = _ingest(store, paths, fmt, assume_time).total("quarantined")
    set_scope(store.con, _parse_time(since, "--since"), _parse_time(until, "--until"))
    result = an.analyze(store.con, store.prices)
    if as_json:
        out.print_json(json.dumps(an.to_json(result)))
    else:
        render.analysis(out, result)
    if strict:
        _strict_check(store, quarantined)


@app.command()
@guarded
def simulate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Logs to ingest first (optional).", show_default=False)
    ] = None,
    scenario_file: Annotated[Path | None, typer.Option("--scenario", help="A scenario TOML file.")] = None,
    preset: Annotated[str | None, typer.Option("--preset", help="A shipped scenario (see --list).")] = None,
    evals: Annotated[
        Path | None,
        typer.Option(
            "--evals", help="Paired evaluations (CSV/Parquet: request_id, model, score) for the Q4 quality model."
        ),
    ] = None,
    horizon: Annotated[int | None, typer.Option("--horizon", help="Months to project (default 18).")] = None,
    growth: Annotated[
        float | None,
        typer.Option(
            "--growth",
            help="Monthly growth of the baseline (0.05 = +5%/month); required with fewer than 3 months of history.",
        ),
    ] = None,
    samples: Annotated[int | None, typer.Option("--samples", help="Monte Carlo draws (default 400).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (runs are reproducible).")] = None,
    list_presets: Annotated[bool, typer.Option("--list", help="List the shipped scenarios and exit.")] = False,
    since: Since = None,
    until: Until = None,
    as_json: AsJson = False,
    assume_time: AssumeTime = None,
    fmt: FormatOpt = None,
) -> None:
    """What would these calls cost on smaller models? Scenarios with stated quality assumptions,
    uncertainty bands, the cost curve and a month-by-month projection.

    Example: aispend simulate sample_logs/ --preset armstrong-80-20
    """
    from finops import scenario as scen
    from finops import simulate as sim
    from finops.report import render_sim
    from finops.scope import set_scope

    if list_presets:
        for name, sc in scen.presets().items():
            out.print(f"[bold]{name}[/bold] ({sc.policy.kind}, quality {sc.quality.model}): {escape(sc.description)}")
        return
    if scenario_file and preset:
        raise UsageError("Give --scenario or --preset, not both.")
    chosen = (
        [scen.load(scenario_file)]
        if scenario_file
        else [scen.preset(preset)]
        if preset
        else list(scen.presets().values())
    )
    store = _store()
    if paths:
        _ingest(store, paths, fmt, assume_time)
    set_scope(store.con, _parse_time(since, "--since"), _parse_time(until, "--until"))
    results = [
        sim.run(
            store.con, store.prices, sc, evals_path=evals, horizon=horizon, growth=growth, samples=samples, seed=seed
        )
        for sc in chosen
    ]
    if as_json:
        out.print_json(
            json.dumps({"price_version": store.prices.version, "scenarios": [sim.to_json(r) for r in results]})
        )
        return
    if len(results) > 1:
        render_sim.comparison(out, results)
        out.print("Details: aispend simulate --preset NAME (or --scenario FILE).")
        render_sim.curve_chart(out, results[0])
    else:
        render_sim.detail(out, results[0])


@app.command()
@guarded
def quarantine(limit: Annotated[int, typer.Option(help="Rows to show.")] = 50, as_json: AsJson = False) -> None:
    """List rejected records with file:line and the reason (they are never counted).

    Example: aispend quarantine --limit 20
    """
    store = _store()
    rows = store.con.execute(
        "select source_file, source_line, format, reason, left(raw, 160) from quarantine "
        "order by source_file, source_line limit ?",
        [limit],
    ).fetchall()
    if as_json:
        out.print_json(
            json.dumps([dict(zip(["file", "line", "format", "reason", "raw"], r, strict=True)) for r in rows])
        )
        return
    for f, line, fmt, reason, raw in rows:
        out.print(f"{f}:{line}: {reason} [{fmt}]")
        out.print(f"    {raw}", style="dim", markup=False)
    if not rows:
        out.print("Nothing quarantined.")


@app.command()
@guarded
def formats() -> None:
    """List every log format aispend reads, what identifies it, and an example.

    Example: aispend formats
    """
    from finops.ingest import FORMATS

    for name in sorted(FORMATS):
        f = FORMATS[name]
        out.print(f"[bold]{name}[/bold]: {f.title}")
        out.print(f"    identified by: {f.identifies}", markup=False)
        out.print(f"    example: {f.example}", markup=False)


@export_app.command("calls")
@guarded
def export_calls(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    since: Since = None,
    until: Until = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Export one row per call: canonical columns plus cost_usd and price_version.

    Example: aispend export calls --format parquet -o calls.parquet
    """
    from finops.export import export_calls as run
    from finops.scope import set_scope

    store = _store()
    set_scope(store.con, _parse_time(since, "--since"), _parse_time(until, "--until"))
    n = run(store.con, store.prices.version, output, fmt, force=force)
    err.print(f"Wrote {n:,} calls to {output} (prices {store.prices.version}).")


@prices_app.command("list")
@guarded
def prices_list(
    provider: Annotated[str | None, typer.Option(help="Only this provider.")] = None, as_json: AsJson = False
) -> None:
    """List priced models with their current rates (USD per 1M tokens).

    Example: aispend prices list --provider anthropic
    """
    from finops import pricing
    from finops.report import render_prices

    table = pricing.load(state.pricing_dir)
    rows = render_prices.current_rows(table, provider)
    if as_json:
        out.print_json(json.dumps(rows))
    else:
        render_prices.list_table(out, table, rows)


@prices_app.command("show")
@guarded
def prices_show(
    model: Annotated[str, typer.Argument(help="A model id, alias or dated snapshot id.")], as_json: AsJson = False
) -> None:
    """Show a model's full price history: every period, tier, alias and service-tier rule.

    Example: aispend prices show claude-sonnet-4-5
    """
    from finops import pricing
    from finops.report import render_prices

    table = pricing.load(state.pricing_dir)
    ids = table.lookup(model)
    if not ids:
        raise UsageError(f"No model '{model}' in the price table {table.version}.", hint="See 'aispend prices list'.")
    docs = [render_prices.history(table, i) for i in ids]
    if as_json:
        out.print_json(json.dumps(docs))
    else:
        for d in docs:
            render_prices.show(out, d)


@prices_app.command("check")
@guarded
def prices_check() -> None:
    """Validate the price table (schema, overlaps, sources, aliases).

    Example: aispend prices check
    """
    from finops import pricing

    table = pricing.load(state.pricing_dir)
    n = sum(1 for _ in table.models())
    out.print(
        f"ok: price table {table.version} ({table.directory}): {len(table.providers)} providers, "
        f"{n} models, digest {table.digest}"
    )
