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
export_app = typer.Typer(help="Export data from the store (CSV, Parquet, JSONL, FOCUS).", no_args_is_help=True)
app.add_typer(prices_app, name="prices")
app.add_typer(export_app, name="export")
report_app = typer.Typer(help="Month-end reports (terminal, Markdown, HTML, Excel).", no_args_is_help=True)
app.add_typer(report_app, name="report")

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
    contract: Path | None = None
    debug: bool = False


state = State()


def _print_json(doc: Any) -> None:
    """One JSON document on stdout: highlighted by rich on a terminal; otherwise the same text rich would
    print (indent 2, UTF-8) written directly, which is much faster than rich's highlighting of a big document."""
    text = json.dumps(doc)
    if out.is_terminal:
        out.print_json(text)
    else:
        out.file.write(json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n")
        out.file.flush()


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
ExportFormat = Annotated[str, typer.Option("--format", help="csv, parquet or jsonl.")]
Partition = Annotated[
    bool, typer.Option("--partition", help="Parquet only: a folder with one month=YYYY-MM/ sub-folder per month.")
]
Force = Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")]
ExportOutput = Annotated[
    Path,
    typer.Option(
        "-o", "--output", help="File (or folder with --partition) to write; - for standard output (CSV, JSON lines)."
    ),
]
FormatOpt = Annotated[
    str | None, typer.Option("--format", help="Skip detection: read every file as this format (see 'aispend formats').")
]
MappingOpt = Annotated[
    Path | None,
    typer.Option(
        "--mapping", help="TOML column mapping for CSV/Parquet of any shape (see 'aispend formats', generic)."
    ),
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
    contract: Annotated[
        Path | None,
        typer.Option(
            "--contract",
            envvar="AISPEND_CONTRACT",
            help="Your negotiated prices (TOML: discounts, committed rates, credits) layered on the list prices: "
            "cost_usd becomes the effective cost, list_cost_usd keeps the list cost. See pricing/README.md.",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    state.db, state.pricing_dir, state.contract, state.debug = db, pricing_dir, contract, debug


def _store() -> Any:
    from finops import pricing
    from finops.store import open_store

    store = open_store(state.db, state.pricing_dir)
    if state.contract is not None and (
        store.prices.contract is None or store.prices.contract.path != state.contract.expanduser()
    ):
        store.prices.contract = pricing.load_contract(state.contract, store.prices)
        pricing.install_contract(store.con, store.prices.contract)
    return store


def _store_for_ingest() -> Any:
    """The store without the price table: ingest reads logs into `usage` and never prices, so it skips
    loading and installing prices (about a second on a fresh store)."""
    from types import SimpleNamespace

    from finops import db

    return SimpleNamespace(con=db.connect(state.db))


def _table() -> Any:
    from finops import pricing

    return pricing.load(state.pricing_dir, contract=state.contract)


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


def _ingest(
    store: Any, paths: list[Path], fmt: str | None, assume_time: str | None, mapping: Path | None = None
) -> Any:
    from finops.ingest import ingest

    result = ingest(
        store.con,
        paths,
        format_name=fmt,
        assume_time=_parse_time(assume_time, "--assume-time"),
        progress=_progress,
        command=" ".join(sys.argv[1:])[:500],
        mapping=mapping,
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
    if result.superseded:
        err.print(
            f"  {result.superseded:,} stored row(s) no longer counted: session totals of claude -p results whose "
            "transcripts are now stored (kept with file:line and reason in the store's table 'superseded')."
        )
    return result


def _strict_check(store: Any, quarantined: int) -> None:
    row = store.con.execute(
        "select coalesce(sum(records), 0) from scoped_groups where price_status not in ('priced', 'billed_line')"
    ).fetchone()
    flagged = int(row[0]) if row else 0
    if quarantined or flagged:
        raise StrictModeError(
            f"--strict: {quarantined} record(s) quarantined and {flagged} call(s) not fully priced.",
            hint="See 'aispend quarantine' and the 'Calls not fully priced' table.",
        )


@app.command()
@guarded
def ingest(
    paths: Paths,
    fmt: FormatOpt = None,
    assume_time: AssumeTime = None,
    strict: Strict = False,
    mapping: MappingOpt = None,
) -> None:
    """Read log files into the store (idempotent: unchanged files and known calls are skipped).

    Example: aispend ingest ~/.claude/projects/ logs/openai/
    """
    store = _store_for_ingest()
    result = _ingest(store, paths, fmt, assume_time, mapping)
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
    mapping: MappingOpt = None,
) -> None:
    """Ingest the given logs, then report spend by month, provider, model and team, what could not be
    priced, and what the 80/20 shift to small models would save.

    Example: aispend analyze sample_logs/
    """
    from finops import db
    from finops.report import analyze as an
    from finops.report import render
    from finops.scope import set_scope

    store = _store()
    quarantined = 0
    if paths:
        quarantined = _ingest(store, paths, fmt, assume_time, mapping).total("quarantined")
        db.release_cache(store.con)  # the report starts from the memory it needs, not the ingest's cache
    # not scope.materialize: the report reads sums of the calls (analyze.py), the scenarios one pass over them
    set_scope(store.con, _parse_time(since, "--since"), _parse_time(until, "--until"))
    result = an.analyze(store.con, store)  # the store holds the price table's version and substitutions
    if as_json:
        _print_json(an.to_json(result))
    else:
        render.analysis(out, result)
    if strict:
        _strict_check(store, quarantined)


@app.command()
@guarded
def reconcile(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Logs and exports to ingest first (optional).", show_default=False)
    ] = None,
    since: Since = None,
    until: Until = None,
    as_json: AsJson = False,
    fmt: FormatOpt = None,
    mapping: MappingOpt = None,
) -> None:
    """Compare the cost computed from calls with the billed cost (Costs API, Anthropic cost report, FOCUS,
    or the cost gateways report on calls) per provider and month, with the reasons for the variance.

    Example: aispend reconcile logs/ exports/openai_costs.json
    """
    from finops import reconcile as rc
    from finops.report import render_reconcile

    store = _store()
    if paths:
        _ingest(store, paths, fmt, None, mapping)
    result = rc.reconcile(store.con, store.prices.version, _parse_time(since, "--since"), _parse_time(until, "--until"))
    if as_json:
        _print_json(rc.to_json(result))
    else:
        render_reconcile.reconciliation(out, result)


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
    from finops.scope import materialize, materialize_sums, set_scope

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
    materialize(store.con, sim.COLUMNS)
    materialize_sums(store.con)  # each scenario's counts read the sums
    results = sim.run_many(
        store.con, store, chosen, evals_path=evals, horizon=horizon, growth=growth, samples=samples, seed=seed
    )
    if as_json:
        _print_json({"price_version": store.version, "scenarios": [sim.to_json(r) for r in results]})
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
        _print_json([dict(zip(["file", "line", "format", "reason", "raw"], r, strict=True)) for r in rows])
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
    output: ExportOutput,
    fmt: ExportFormat = "csv",
    since: Since = None,
    until: Until = None,
    partition: Partition = False,
    force: Force = False,
) -> None:
    """Export one row per call: canonical columns plus cost_usd and price_version.

    Example: aispend export calls --format parquet --partition -o calls/
    """
    from finops import export
    from finops.scope import set_scope

    store = _store()
    set_scope(store.con, _parse_time(since, "--since"), _parse_time(until, "--until"))
    n = export.export_calls(store.con, store.prices.version, output, fmt, force=force, partition=partition)
    err.print(f"Wrote {n:,} calls to {export.destination(output)} (prices {store.prices.version}).")


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
        _print_json(rows)
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
    from finops.report import render_prices

    table = _table()
    ids = table.lookup(model)
    if not ids:
        raise UsageError(f"No model '{model}' in the price table {table.version}.", hint="See 'aispend prices list'.")
    docs = [render_prices.history(table, i) for i in ids]
    if as_json:
        _print_json(docs)
    else:
        for d in docs:
            render_prices.show(out, d)


@prices_app.command("check")
@guarded
def prices_check(
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 1) on lint warnings too.")] = False,
    unverified: Annotated[
        bool, typer.Option("--unverified", help="Also list every period and rule graded C (unverified).")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Validate the price table (schema, overlaps, sources, aliases, windows; and --contract if given), then
    lint it: unusual cache multiples, gaps between periods, sources an auditor cannot follow.

    Example: aispend prices check --strict
    """
    from finops import pricing_tools

    table = _table()
    findings = pricing_tools.lint(table)
    warnings = [f for f in findings if f.kind == "warning"]
    graded_c = [f for f in findings if f.kind == "unverified"]
    n = sum(1 for _ in table.models())
    placeholders = sum(1 for _p, m in table.models() for p in m.periods if not p.start_verified)
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "version": table.version,
                    "digest": table.digest,
                    "directory": str(table.directory),
                    "providers": len(table.providers),
                    "models": n,
                    "priced_models": len(table.expanded),
                    "contract": None if table.contract is None else str(table.contract.path),
                    "warnings": [f.__dict__ for f in warnings],
                    "unverified": [f.__dict__ for f in graded_c],
                    "placeholder_start_dates": placeholders,
                }
            )
        )
    else:
        contract = f"; contract {table.contract.path} ok" if table.contract is not None else ""
        out.print(
            f"ok: price table {table.version} ({table.directory}): {len(table.providers)} providers, "
            f"{n} models ({len(table.expanded)} with platform copies), digest {table.digest}{contract}",
            markup=False,
        )
        for f in warnings:
            out.print(f"warning: {f.line()}", markup=False)
        if unverified:
            for f in graded_c:
                out.print(f"unverified: {f.line()}", markup=False)
        out.print(
            f"{len(warnings)} warning(s); {len(graded_c)} period(s)/rule(s) graded C (--unverified lists them); "
            f"{placeholders} period(s) whose start is a placeholder (start_verified = false).",
            markup=False,
        )
    if strict and warnings:
        raise StrictModeError(f"--strict: {len(warnings)} lint warning(s) in the price table.")


@prices_app.command("diff")
@guarded
def prices_diff(
    a: Annotated[Path, typer.Argument(help="A pricing directory (the old table).")],
    b: Annotated[Path, typer.Argument(help="A pricing directory (the new table).")],
    as_json: AsJson = False,
) -> None:
    """Compare two price tables: added/removed models, added/removed/changed periods per model (keyed by
    their start), service-tier rules and aliases.

    Example: aispend prices diff old-pricing/ pricing/
    """
    from finops import pricing, pricing_tools

    for d in (a, b):
        if not d.is_dir():
            raise UsageError(
                f"{d} is not a pricing directory.", hint="Pass two directories holding VERSION and *.toml."
            )
    doc = pricing_tools.diff(pricing.load(a, contract=""), pricing.load(b, contract=""))
    if as_json:
        _print_json(doc)
        return
    for line in pricing_tools.diff_lines(doc):
        out.print(line, markup=False)


@prices_app.command("import")
@guarded
def prices_import(
    file: Annotated[Path, typer.Argument(help="genai-prices provider YAML/JSON, or LiteLLM's price JSON.")],
    source: Annotated[str, typer.Option("--from", help="genai-prices or litellm.")],
    provider: Annotated[
        str | None, typer.Option("--provider", help="LiteLLM: only this litellm_provider (e.g. deepseek).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Compare with our prices in force at this date (default: today).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the proposal here instead of stdout.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --output if it exists.")] = False,
) -> None:
    """Propose new models and changed prices from another dataset, as a reviewable TOML-commented diff.
    Nothing in pricing/ is written.

    Example: aispend prices import --from litellm model_prices_and_context_window.json --provider deepseek
    """
    from finops import pricing_tools

    table = _table()
    at = _parse_time(as_of, "--as-of") or datetime.now(UTC)
    models = pricing_tools.read_source(source, file, provider)
    label = f"{source} {file.name}" + (f" ({provider})" if provider else "")
    proposal = pricing_tools.propose(table, models, at.date(), label)
    text = pricing_tools.proposal_text(proposal)
    if output is None:
        sys.stdout.write(text)
    else:
        if output.exists() and not force:
            raise UsageError(f"{output} exists.", hint="Pass --force to overwrite it.")
        if output.resolve().parent == Path(table.directory).resolve():
            raise UsageError(f"{output}: refusing to write into the price table directory; review the proposal first.")
        output.write_text(text, encoding="utf-8")
    err.print(
        f"{len(proposal.new)} new, {len(proposal.changed)} changed, {proposal.same} unchanged model(s) "
        f"from {label}" + (f"; proposal written to {output}" if output else "") + ". pricing/ was not modified."
    )


# ---------------------------------------------------------------- month-end pack (issue 5)


@report_app.command("monthly")
@guarded
def report_monthly(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Logs to ingest first (optional).", show_default=False)
    ] = None,
    month: Annotated[str | None, typer.Option("--month", help="YYYY-MM. Default: the last complete month.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Report as on this UTC date: later calls are ignored.")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="terminal, md, html or xlsx (default: from -o, else terminal).")
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")] = None,
    budgets: Annotated[Path | None, typer.Option("--budgets", help="Budgets TOML (see README).")] = None,
    currency: Annotated[str, typer.Option("--currency", help="Report currency (ISO 4217).")] = "USD",
    fx_rates: Annotated[
        Path | None, typer.Option("--fx-rates", help="FX file: date,currency,rate (CSV or TOML).")
    ] = None,
    fx_rate: Annotated[str | None, typer.Option("--fx-rate", help="One rate: units of --currency per USD.")] = None,
    as_json: AsJson = False,
    force: Force = False,
) -> None:
    """The month-end pack: totals and changes, forecast, breakdowns, unit economics, anomalies, budgets, savings.

    Example: aispend report monthly sample_logs/ --format html -o report.html
    """
    from finops import budgets as budgets_mod
    from finops import fx as fx_mod
    from finops.export import check_output
    from finops.report import monthly, pack, render_monthly

    kind = pack.pick_format(fmt, output)
    if kind == "xlsx" and output is None:
        raise UsageError("--format xlsx needs -o FILE.xlsx.")
    if output is not None:
        check_output(output, force)
    rates = fx_mod.load(currency, rates_file=fx_rates, rate=fx_rate)
    plan = budgets_mod.load(budgets) if budgets else None
    store = _store()
    if paths:
        _ingest(store, paths, None, None)
    m = monthly.build(store.con, store.prices, month=month, as_of=_parse_time(as_of, "--as-of"), budgets=plan, fx=rates)
    if output is not None:
        pack.write(store.con, m, rates, kind, output, force=force)
        err.print(f"Wrote the {m.month} report to {output} ({kind}, prices {m.price_version}).")
    if as_json:
        _print_json(monthly.to_json(m))
    elif output is None and kind in ("md", "html"):
        sys.stdout.write(pack.text(m, kind))
    elif output is None:
        render_monthly.render(out, m)


def _export_table(
    kind: str, output: Path, fmt: str, since: str | None, until: str | None, force: bool, part: bool
) -> None:
    from finops import export
    from finops.scope import set_scope

    store = _store()
    set_scope(store.con, _parse_time(since, "--since"), _parse_time(until, "--until"))
    run = {"daily": export.export_daily, "monthly": export.export_monthly}[kind]
    n = run(store.con, store.prices.version, output, fmt, force=force, partition=part)
    err.print(f"Wrote {n:,} {kind} rows to {export.destination(output)} (prices {store.prices.version}).")


@export_app.command("daily")
@guarded
def export_daily(
    output: ExportOutput,
    fmt: ExportFormat = "csv",
    since: Since = None,
    until: Until = None,
    partition: Partition = False,
    force: Force = False,
) -> None:
    """Export daily spend by provider, platform, model, service tier, team and project (pivot-ready).

    Example: aispend export daily --format parquet --partition -o daily/
    """
    _export_table("daily", output, fmt, since, until, force, partition)


@export_app.command("monthly")
@guarded
def export_monthly(
    output: ExportOutput,
    fmt: ExportFormat = "csv",
    since: Since = None,
    until: Until = None,
    partition: Partition = False,
    force: Force = False,
) -> None:
    """Export monthly spend by provider and model.

    Example: aispend export monthly -o monthly.csv
    """
    _export_table("monthly", output, fmt, since, until, force, partition)


@export_app.command("scenarios")
@guarded
def export_scenarios(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    fmt: ExportFormat = "csv",
    since: Since = None,
    until: Until = None,
    force: Force = False,
) -> None:
    """Export the default savings scenarios (price only) with their cost, saving and cost ratio.

    Example: aispend export scenarios --since 2025-08-01 --until 2025-09-01 -o scenarios.csv
    """
    from finops import export
    from finops.scope import set_scope

    store = _store()
    set_scope(store.con, _parse_time(since, "--since"), _parse_time(until, "--until"))
    n = export.export_scenarios(store.con, store.prices, output, fmt, force=force)
    err.print(f"Wrote {n} scenarios to {export.destination(output)} (prices {store.prices.version}).")


@export_app.command("focus")
@guarded
def export_focus(
    output: Annotated[Path, typer.Option("-o", "--output", help="A .csv or .parquet file.")],
    since: Since = None,
    until: Until = None,
    force: Force = False,
) -> None:
    """Export FOCUS 1.3 cost and usage rows: one per day, provider, model, price and token charge.

    Example: aispend export focus -o focus.parquet
    """
    from finops import export
    from finops.scope import set_scope

    store = _store()
    set_scope(store.con, _parse_time(since, "--since"), _parse_time(until, "--until"))
    n = export.export_focus(store.con, store.prices.version, output, force=force)
    left = export.unpriced_calls(store.con)
    err.print(
        f"Wrote {n:,} FOCUS {export.FOCUS_VERSION} rows to {export.destination(output)} "
        f"(prices {store.prices.version})."
    )
    if left:
        err.print(f"  {left:,} call(s) not fully priced are left out (FOCUS rows need a price): see 'aispend analyze'.")
