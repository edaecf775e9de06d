"""Counterfactuals: what the same calls would cost on smaller models, under stated assumptions.

The cost of a moved call is computed by the same SQL as actual spend (db.price_join) on the target
model at the call's own timestamp and service tier. Every result names its quality model; the
headline in `aispend analyze` is price only.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np

from finops import db, pricing, scenario

if TYPE_CHECKING:
    from finops.evals import EvalSample

NAIVE_80_20 = Decimal("0.208")  # 0.2 + 0.8 x 0.01: 80% of spend moved to a 99% cheaper model
HARVEY_RATIO = Decimal(1) / Decimal(3)  # "cut inference cost 3x with no quality loss" (routing.md §5)
HARVEY_MEASURED = Decimal("0.386")  # $368 / $954 on the 100-task LAB slice (Fireworks, June 2026)
QUALITY_LABEL = "price only, quality not assessed"
HEADLINE_SAMPLES = 200
# the columns of scoped_usage the scenarios read (scope.materialize), with those of the sums (scoped_groups)
COLUMNS = (
    "dedupe_key", "ts", "record_kind", "request_count", "service_tier", "provider", "platform", "model",
    "price_model", "price_status", "tags", "input_uncached", "cache_read", "cache_write_5m", "cache_write_1h",
    "output", "audio_in", "audio_out", "reasoning", "web_searches", "cost_usd", "format",
)  # fmt: skip


@dataclass
class Headline:
    """The default scenarios in brief, relative to ALL priced spend in scope of the report."""

    actual_usd: Decimal  # all priced spend
    priced_calls: int
    movable_calls: int  # priced calls whose model has a smaller sibling
    all_to_small_usd: Decimal
    armstrong_usd: Decimal
    armstrong_moved_calls: int
    armstrong_kept_calls: int
    armstrong_kept_spend_usd: Decimal  # spend of the kept 20% (most complex movable calls)
    movable_spend_usd: Decimal  # spend of the movable calls (the 80/20 is taken over these)
    substitutions: dict[str, str]
    results: list[Result] = field(default_factory=list)

    def ratio(self, value: Decimal) -> Decimal | None:
        return None if not self.actual_usd else value / self.actual_usd

    @property
    def all_to_small_ratio(self) -> Decimal | None:
        return self.ratio(self.all_to_small_usd)

    @property
    def armstrong_ratio(self) -> Decimal | None:
        return self.ratio(self.armstrong_usd)

    @property
    def armstrong_scope_ratio(self) -> Decimal | None:
        """Armstrong's cost ratio on the movable calls alone (what the naive 0.208 compares to)."""
        if not self.movable_spend_usd:
            return None
        return (self.movable_spend_usd - (self.actual_usd - self.armstrong_usd)) / self.movable_spend_usd

    @property
    def kept_spend_share(self) -> Decimal | None:
        return None if not self.movable_spend_usd else self.armstrong_kept_spend_usd / self.movable_spend_usd

    def reaches_harvey(self, ratio: Decimal | None) -> bool | None:
        return None if ratio is None else ratio <= HARVEY_RATIO


def install_substitution(con: duckdb.DuckDBPyConnection, mapping: dict[str, str]) -> None:
    items = sorted(mapping.items())
    con.execute(
        "create or replace temp table substitution as "
        "select unnest($models::varchar[]) as model, unnest($targets::varchar[]) as target",
        {"models": [k for k, _ in items], "targets": [v for _, v in items]},
    )


def headline(
    con: duckdb.DuckDBPyConnection, table: pricing.PriceInfo, mapping: dict[str, str] | None = None
) -> Headline:
    """All-to-small and Armstrong 80/20 on the scoped calls (scope.set_scope must have run).

    Runs the shipped presets (scenario engine below) with a smaller Monte Carlo.
    """
    overrides = {"substitution": mapping} if mapping else {}
    base = scenario.preset("all-to-small").model_copy(update=overrides)
    arm = scenario.preset("armstrong-80-20").model_copy(update=overrides)
    results = run_many(con, table, [base, arm], samples=HEADLINE_SAMPLES, projection=False)
    small, armstrong = results
    row = con.execute(
        "select coalesce(sum(records), 0), coalesce(sum(cost_usd), 0) from scoped_groups where price_status = 'priced'"
    ).fetchone()
    total = Decimal(row[1]) if row else ZERO
    kept = armstrong.data.calls_in_scope - armstrong.calls_moved
    at20 = next((p for p in armstrong.curve if p["share_kept"] == Decimal(20) / 100), None)
    kept_spend = (
        ZERO if at20 is None or at20["spend_share_kept"] is None else at20["spend_share_kept"] * armstrong.actual_usd
    )
    return Headline(
        actual_usd=total,
        priced_calls=int(row[0]) if row else 0,
        movable_calls=small.data.calls_in_scope,
        all_to_small_usd=total - small.savings_usd,
        armstrong_usd=total - armstrong.savings_usd,
        armstrong_moved_calls=armstrong.calls_moved,
        armstrong_kept_calls=kept,
        armstrong_kept_spend_usd=kept_spend,
        movable_spend_usd=armstrong.actual_usd,
        substitutions=table.substitution_map() if mapping is None else mapping,
        results=results,
    )


# ====================================================================== scenarios (issue 3)
#
# A scenario run:
#   1. sim_calls: priced calls in scope, their target (substitution or per-tag map), complexity rank
#      (sql/sim_ranked.sql, shared by scenarios that differ only in policy) and policy role (kept / moved /
#      stay, sql/sim_calls.sql), all in SQL;
#   2. the counterfactual cost of every targeted call, by the SAME price_join as actual spend, on the
#      target at the call's own ts and tier, tokens scaled by tau (tokenizer) and gamma (verbosity);
#   3. group sums by (bootstrap block, tokenizer pair, role) -> the exact central cost in Decimal, and a
#      Monte Carlo + block bootstrap over the uncertain parameters in numpy (bands are estimates);
#   4. quality from the named model (Q0 price only, Q1 prior, Q2 routing curve, Q4 paired evals);
#   5. the cost curve over the share kept on the frontier, and the month-by-month projection.

BLOCKS = 2000
ZERO = Decimal(0)
CENT = Decimal("0.01")


def _dec(x: float) -> Decimal:
    return Decimal(repr(float(x)))


@dataclass
class Pair:
    src: str
    dst: str
    tau: float
    lo: float
    hi: float
    cold: bool


@dataclass
class SimData:
    """Group sums of one scenario run (all money exact Decimal)."""

    groups: list[dict[str, Any]]  # block, pair, role, n, a, cf, cf_in
    pairs: list[Pair]
    calls_in_scope: int
    unpriced_excluded: int
    not_in_scope: int  # priced calls outside the scope or with no smaller target (already small)
    not_in_scope_usd: Decimal
    target_unpriced: int  # calls whose target has no price at their date (they stay)
    curve_buckets: list[tuple[int, Decimal, Decimal]]  # percentile bucket -> (actual, counterfactual)
    moved_by_tag: dict[str, int] = field(default_factory=dict)  # Q1 per-tag priors: moved calls per tag value

    @cached_property
    def n_total(self) -> int:
        return sum(int(g["n"]) for g in self.groups)

    @cached_property
    def n_moved(self) -> int:
        return sum(int(g["n"]) for g in self.groups if g["role"] == "moved")


def _families() -> dict[str, dict[str, Any]]:
    text = (resources.files("finops") / "scenarios" / "tokenizers.toml").read_text(encoding="utf-8")
    fams: dict[str, dict[str, Any]] = tomllib.loads(text)["families"]
    return fams


def family_of(model: str, fams: dict[str, dict[str, Any]] | None = None) -> str | None:
    fams = fams or _families()
    best, best_len = None, -1
    for name, f in fams.items():
        for p in f["prefixes"]:
            if model.startswith(p) and len(p) > best_len:
                best, best_len = name, len(p)
    return best


def tokenizer_ratio(src: str, dst: str, override: float | None = None) -> tuple[float, float, float]:
    """(central, low, high) tokens on dst per token on src, from finops/scenarios/tokenizers.toml."""
    if override is not None:
        return override, override, override
    fams = _families()
    fs, fd = family_of(src, fams), family_of(dst, fams)
    if fs == fd:
        return 1.0, 1.0, 1.0
    s = fams.get(fs or "", {"value": 1.0})
    d = fams.get(fd or "", {"value": 1.0})
    central = d["value"] / s["value"]
    lo = d.get("low", d["value"]) / s.get("high", s["value"])
    hi = d.get("high", d["value"]) / s.get("low", s["value"])
    if fs is None or fd is None:  # an unknown family: no published ratio, keep a wide band
        lo, hi = min(lo, central * 0.85), max(hi, central * 1.2)
    return central, lo, hi


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _resolve_map(table: pricing.PriceInfo, sc: scenario.Scenario) -> dict[str, str]:
    mapping = table.substitution_map()
    if not sc.substitution and not sc.policy.targets:
        return {k: v for k, v in mapping.items() if k != v}
    ids = table.model_ids()
    for key, target in sc.substitution.items():
        if target not in ids:
            raise scenario.ScenarioError(
                f"{sc.name}: substitution.{key} = '{target}': no such model in the price table {table.version}",
                hint="See 'aispend prices list'.",
            )
        matched = [i for i in ids if i == key or (key.endswith("*") and i.startswith(key[:-1]))]
        if not matched:
            raise scenario.ScenarioError(f"{sc.name}: substitution key '{key}' matches no priced model")
        for i in matched:
            mapping[i] = target
    for value, target in sc.policy.targets.items():
        if target not in ids:
            raise scenario.ScenarioError(
                f"{sc.name}: policy.targets.{value} = '{target}': no such model in the price table {table.version}"
            )
    return {k: v for k, v in mapping.items() if k != v}


def _install_inputs(con: duckdb.DuckDBPyConnection, table: pricing.PriceInfo, sc: scenario.Scenario) -> None:
    mapping = _resolve_map(table, sc)
    install_substitution(con, mapping)
    con.execute("create or replace temp table sim_target as select * from substitution")
    con.execute("create or replace temp table sim_tag_target (value varchar, target varchar)")
    if sc.policy.kind == "per-tag":
        con.executemany("insert into sim_tag_target values (?, ?)", sorted(sc.policy.targets.items()))
    con.execute("create or replace temp table sim_scope_models (prefix varchar, exact boolean)")
    con.executemany(
        "insert into sim_scope_models values (?, ?)",
        [(p[:-1], False) if p.endswith("*") else (p, True) for p in sc.scope.models],
    )
    con.execute("create or replace temp table sim_tag_prior (value varchar, prior double)")
    if sc.complexity.tag_priors:
        con.executemany("insert into sim_tag_prior values (?, ?)", sorted(sc.complexity.tag_priors.items()))
    con.execute("create or replace temp table sim_providers (provider varchar)")
    if sc.scope.providers:
        con.executemany("insert into sim_providers values (?)", [(p,) for p in sc.scope.providers])
    conds = [
        f"list_contains([{', '.join(_sql_str(v) for v in vals)}], t[{_sql_str(k)}])"
        for k, vals in sc.scope.tags.items()
    ]
    con.execute(f"create or replace temp macro sim_tags_ok(t) as ({' and '.join(conds) or 'true'})")


def calls_key(table: pricing.PriceInfo, sc: scenario.Scenario) -> str:
    """Everything sim_ranked and the counterfactual tables depend on: two scenarios with the same key
    differ only in policy (top-k share, cascade, advisor...), and the second can reuse the first's tables."""
    per_tag = sc.policy.kind == "per-tag"
    parts = [
        sorted(_resolve_map(table, sc).items()),
        per_tag,
        sorted(sc.policy.targets.items()) if per_tag else [],
        (sc.policy.tag or "") if per_tag else "",
        sc.scope.model_dump(mode="json"),
        sc.complexity.model_dump(mode="json"),
        sc.cost.model_dump(mode="json"),
        _by_spend(sc),
    ]
    return json.dumps(parts, sort_keys=True, default=str)


# sim_ranked's spend_before: the spend of the calls ranked before this one (a second window over every ranked
# call, computed only for the policy that reads it)
SPEND_BEFORE = """sum(m.cost_usd) over (order by m.complexity desc, m.dedupe_key
                                    rows between unbounded preceding and 1 preceding)"""


def _by_spend(sc: scenario.Scenario) -> bool:
    """Whether the policy keeps calls by spend ranked before them (sim_ranked computes it only then)."""
    return sc.policy.kind == "top-k" and sc.policy.keep_by == "spend"


def collect(
    con: duckdb.DuckDBPyConnection,
    table: pricing.PriceInfo,
    sc: scenario.Scenario,
    *,
    shared: SimData | None = None,
) -> SimData:
    """Run the SQL side of a scenario over scoped_usage (scope.set_scope must have run).

    `shared`: the SimData of the scenario collected just before on the same connection and scope, with the
    same calls_key: its ranked calls and counterfactual costs (temp tables) are reused, only the policy is
    applied again."""
    policy = {
        "top_k": sc.policy.kind == "top-k",
        "keep": _dec(sc.policy.keep),
        "keep_by_spend": sc.policy.keep_by == "spend",
    }
    if shared is None:
        shared = _build_calls(con, table, sc)
    con.execute(
        "create or replace temp table sim_policy as "
        "select $top_k as top_k, $keep as keep, $keep_by_spend as keep_by_spend",
        policy,
    )
    con.execute("create or replace temp view sim_calls as " + db.sql_text("sim_calls"))
    n = shared.calls_in_scope
    # money as text, read with Decimal(): exact, and faster than the driver's DECIMAL conversion
    groups = con.execute(
        """
        select block,
               coalesce(pair, -1) as pair,
               case when kept then 'kept' when target is not null and cf_ok then 'moved' else 'stay' end as role,
               count(*) as n,
               cast(sum(actual_usd) as varchar) as a,
               cast(coalesce(sum(cf) filter (where cf_ok), 0) as varchar) as cf,
               cast(coalesce(sum(cf_in) filter (where cf_ok), 0) as varchar) as cf_in,
               count(*) filter (where target is not null and not coalesce(cf_ok, false)) as target_unpriced
        from sim_calls
        group by all
        order by all
        """
    ).fetchall()
    names = ["block", "pair", "role", "n", "a", "cf", "cf_in", "target_unpriced"]
    gs = [
        dict(zip(names, (b, p, r, n, Decimal(a), Decimal(cf), Decimal(ci), t), strict=True))
        for b, p, r, n, a, cf, ci, t in groups
    ]
    moved_by_tag: dict[str, int] = {}
    if sc.quality.retention_by_tag:
        key = sc.quality.tag or sc.policy.tag or "team"
        moved_by_tag = {
            str(v): int(n)
            for v, n in con.execute(
                "select coalesce(u.tags[$k], '(none)'), count(*) from sim_calls c "
                "join usage u on u.dedupe_key = c.dedupe_key where not c.kept group by 1",
                {"k": key},
            ).fetchall()
        }
    return SimData(
        moved_by_tag=moved_by_tag,
        groups=gs,
        pairs=shared.pairs,
        calls_in_scope=n,
        unpriced_excluded=shared.unpriced_excluded,
        not_in_scope=shared.not_in_scope,
        not_in_scope_usd=shared.not_in_scope_usd,
        target_unpriced=sum(int(g["target_unpriced"]) for g in gs),
        curve_buckets=shared.curve_buckets,
    )


def _build_calls(con: duckdb.DuckDBPyConnection, table: pricing.PriceInfo, sc: scenario.Scenario) -> SimData:
    """The policy-free part of collect: sim_ranked, the tokenizer pairs, every call priced on its target
    (sim_rows), and the counts that do not depend on the policy (in a SimData without groups)."""
    _install_inputs(con, table, sc)
    params = {
        "since": sc.scope.since,
        "until": sc.scope.until,
        "providers_any": not sc.scope.providers,
        "per_tag": sc.policy.kind == "per-tag",
        "tag_key": sc.policy.tag or "",
        "w_output": sc.complexity.output_weight,
        "w_reasoning": sc.complexity.reasoning_weight,
        "w_tool": sc.complexity.tool_weight,
        "prior_tag": sc.complexity.tag or "",
        "has_priors": bool(sc.complexity.tag_priors),
    }
    ranked = db.sql_text("sim_ranked").replace("{spend_before}", SPEND_BEFORE if _by_spend(sc) else "null")
    con.execute("create or replace temp table sim_ranked as " + ranked, params)
    # tokenizer pairs and cache mode, per (model, target)
    pairs: list[Pair] = []
    providers = dict(con.execute("select model, provider from price_models").fetchall())
    for src, dst in con.execute(
        "select distinct price_model, target from sim_ranked where target is not null order by all"
    ).fetchall():
        central, lo, hi = tokenizer_ratio(src, dst, sc.cost.tokenizer_ratio)
        cold = sc.cost.cache == "cold" or (sc.cost.cache == "auto" and providers.get(src) != providers.get(dst))
        pairs.append(Pair(src, dst, central, lo, hi, cold))
    con.execute(
        "create or replace temp table sim_pair (src varchar, dst varchar, tau double, cold boolean, pair integer)"
    )
    if pairs:
        con.executemany(
            "insert into sim_pair values (?, ?, ?, ?, ?)",
            [(p.src, p.dst, p.tau, p.cold, i) for i, p in enumerate(pairs)],
        )
    cf_calls = db.sql_text("sim_cf_calls")
    con.execute("create or replace temp macro sim_cf_calls(gamma, output_scale) as table " + cf_calls)
    row = con.execute("select count(*) from sim_ranked").fetchone()
    n = int(row[0]) if row else 0
    blocks = max(1, min(n, BLOCKS))
    # every ranked call with its bootstrap block, tokenizer pair and counterfactual costs (priced once: every
    # policy's groups and the cost curve read these rows); only the columns read after this, sim_ranked is dropped
    con.execute(
        f"""
        create or replace temp table sim_rows as
        select r.dedupe_key, r.ts, r.price_model, r.target, r.actual_usd,
               r.complexity_rank, n.n_calls, r.spend_before, n.spend_total,
               cast(hash(r.dedupe_key) % {blocks} as integer) as block,
               p.pair,
               f.cost_usd as cf,
               i.cost_usd as cf_in,
               f.price_status = 'priced' as cf_priced,
               f.price_status = 'priced' and i.price_status = 'priced' as cf_ok
        from sim_ranked r
        cross join (select count(*) as n_calls, sum(actual_usd) as spend_total from sim_ranked) n
        left join sim_pair p on p.src = r.price_model and p.dst = r.target
        left join ({db.price_join("sim_cf_calls($gamma, 1)")}) f on f.complexity_rank = r.complexity_rank
        left join ({db.price_join("sim_cf_calls($gamma, 0)")}) i on i.complexity_rank = r.complexity_rank
        """,
        {"gamma": _dec(sc.cost.verbosity.value)},
    )
    con.execute("drop table sim_ranked")
    counts = con.execute(
        "select coalesce(sum(records) filter (where price_status <> 'priced'), 0), "
        "coalesce(sum(records) filter (where price_status = 'priced'), 0), "
        "coalesce(sum(cost_usd) filter (where price_status = 'priced'), 0) from scoped_groups"
    ).fetchone()
    in_scope = con.execute("select coalesce(sum(actual_usd), 0) from sim_rows").fetchone()
    excluded, priced, priced_usd = counts if counts else (0, 0, ZERO)
    # sim_rows holds priced calls of scoped_usage (one row per dedupe_key): the rest are out of scope
    not_in_scope = int(priced) - n
    not_in_scope_usd = Decimal(priced_usd) - Decimal(in_scope[0] if in_scope else ZERO)
    curve = con.execute(
        """
        -- bucket b = the smallest share j (in %) at which the call is kept: rank <= round(j x n / 100)
        select cast(((2 * c.complexity_rank - 1) * 100 + 2 * c.n_calls - 1) // (2 * c.n_calls) as integer) as bucket,
               sum(c.actual_usd),
               sum(case when c.cf_priced then c.cf else c.actual_usd end)
        from sim_rows c
        group by all
        order by bucket
        """
    ).fetchall()
    return SimData(
        groups=[],
        pairs=pairs,
        calls_in_scope=n,
        unpriced_excluded=int(excluded),
        not_in_scope=not_in_scope,
        not_in_scope_usd=not_in_scope_usd,
        target_unpriced=0,
        curve_buckets=[(int(b), Decimal(a), Decimal(c)) for b, a, c in curve],
    )


# ---------------------------------------------------------------------- cost under parameters


@dataclass
class Params:
    tau_factor: list[float]  # per pair: drawn tau / central tau
    gamma_factor: float
    escalation: float
    advisor: float
    retention: float
    apgr: float


def _central(sc: scenario.Scenario, n_pairs: int) -> Params:
    p = sc.policy
    return Params(
        [1.0] * n_pairs,
        1.0,
        p.escalation.value,
        p.advisor_share.value,
        sc.quality.retention.value,
        sc.quality.apgr.value,
    )


def exact_cost(sc: scenario.Scenario, data: SimData) -> tuple[Decimal, Decimal, Decimal]:
    """(actual, counterfactual, moved actual) at the central parameters, exact Decimal."""
    e, alpha, judge = _dec(sc.policy.escalation.value), _dec(sc.policy.advisor_share.value), _dec(sc.policy.judge_cost)
    actual = cf = moved_actual = ZERO
    for g in data.groups:
        a, c = Decimal(g["a"]), Decimal(g["cf"])
        actual += a
        if g["role"] != "moved":
            cf += a
            continue
        moved_actual += a
        if sc.policy.kind == "cascade":
            cf += c * (1 + judge) + e * a
        elif sc.policy.kind == "advisor":
            cf += (1 - alpha) * c + alpha * a
        else:
            cf += c
    return actual, cf, moved_actual


class _Arrays:
    """Group sums as numpy arrays for Monte Carlo."""

    def __init__(self, data: SimData) -> None:
        g = data.groups
        self.block = np.array([x["block"] for x in g], dtype=np.int64)
        self.pair = np.array([x["pair"] for x in g], dtype=np.int64)
        self.moved = np.array([x["role"] == "moved" for x in g], dtype=bool)
        self.kept = np.array([x["role"] == "kept" for x in g], dtype=bool)
        self.n = np.array([x["n"] for x in g], dtype=np.float64)
        self.a = np.array([float(x["a"]) for x in g], dtype=np.float64)
        self.cf = np.array([float(x["cf"]) for x in g], dtype=np.float64)
        self.cf_in = np.array([float(x["cf_in"]) for x in g], dtype=np.float64)
        self.n_blocks = int(self.block.max()) + 1 if len(g) else 1

    def cost(self, sc: scenario.Scenario, p: Params, w: np.ndarray) -> tuple[float, float]:
        """(actual, counterfactual) for block weights w (one bootstrap draw)."""
        wb = w[self.block]
        tau = np.array([*p.tau_factor, 1.0])[self.pair]  # pair -1 -> 1.0
        c = tau * (self.cf_in + p.gamma_factor * (self.cf - self.cf_in))
        if sc.policy.kind == "cascade":
            moved_cost = c * (1 + sc.policy.judge_cost) + p.escalation * self.a
        elif sc.policy.kind == "advisor":
            moved_cost = (1 - p.advisor) * c + p.advisor * self.a
        else:
            moved_cost = c
        per = np.where(self.moved, moved_cost, self.a)
        return float(np.sum(wb * self.a)), float(np.sum(wb * per))


def kept_share(sc: scenario.Scenario, data: SimData, p: Params | None = None) -> float:
    """Share of in-scope calls that stay on the frontier model (s of the routing curve)."""
    n = data.n_total or 1
    moved = data.n_moved
    if sc.policy.kind == "cascade":
        e = p.escalation if p else sc.policy.escalation.value
        return 1 - moved / n * (1 - e)
    if sc.policy.kind == "advisor":
        a = p.advisor if p else sc.policy.advisor_share.value
        return 1 - moved / n * (1 - a)
    return 1 - moved / n


def retention_q2(r: float, apgr: float, s: float) -> float:
    """R(s) = r + (1 - r)(1 - (1 - s)^k), k = APGR / (1 - APGR) (routing.md §9.4)."""
    apgr = min(max(apgr, 1e-9), 1 - 1e-9)
    k = apgr / (1 - apgr)
    return float(r + (1 - r) * (1 - (1 - s) ** k))


def retention_prior(sc: scenario.Scenario, data: SimData, p: Params) -> float | None:
    q = sc.quality.model
    s = kept_share(sc, data, p)
    if q == "Q0":
        return None
    if q == "Q1":  # a prior r for every moved call (random routing: r + s(1 - r)); per tag where given
        if data.moved_by_tag:
            n = sum(int(g["n"]) for g in data.groups) or 1
            shift = p.retention - sc.quality.retention.value  # the drawn deviation applies to every tag's prior
            loss = sum(
                moved * (1 - min(1.0, sc.quality.retention_by_tag.get(tag, sc.quality.retention.value) + shift))
                for tag, moved in data.moved_by_tag.items()
            )
            base = 1 - loss / n
            if sc.policy.kind in ("cascade", "advisor"):  # the frontier share of moved calls keeps full quality
                frontier = sc.policy.escalation.value if sc.policy.kind == "cascade" else sc.policy.advisor_share.value
                base = 1 - (1 - base) * (1 - frontier)
            return base
        return p.retention + s * (1 - p.retention)
    if q == "Q2":
        return retention_q2(p.retention, p.apgr, s)
    return None  # Q4: from the evals file


# ---------------------------------------------------------------------- results


@dataclass
class Result:
    scenario: scenario.Scenario
    data: SimData
    actual_usd: Decimal
    counterfactual_usd: Decimal
    moved_actual_usd: Decimal
    savings: dict[str, Decimal]  # p10, p50, p90
    cost_ratio_band: dict[str, float]
    quality: dict[str, float | None]  # p10, p50, p90 of retention
    quality_note: str
    sensitivity: list[dict[str, Any]]
    curve: list[dict[str, Any]]
    markers: dict[str, Any]
    projection: dict[str, Any]
    evals: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def calls_moved(self) -> int:
        return sum(int(g["n"]) for g in self.data.groups if g["role"] == "moved")

    @property
    def cost_ratio(self) -> Decimal | None:
        return None if not self.actual_usd else self.counterfactual_usd / self.actual_usd

    @property
    def savings_usd(self) -> Decimal:
        return self.actual_usd - self.counterfactual_usd


def _percentiles(xs: np.ndarray) -> tuple[float, float, float]:
    p10, p50, p90 = np.percentile(xs, [10, 50, 90])
    return float(p10), float(p50), float(p90)


def run(
    con: duckdb.DuckDBPyConnection,
    table: pricing.PriceInfo,
    sc: scenario.Scenario,
    *,
    evals_path: Path | None = None,
    horizon: int | None = None,
    growth: float | None = None,
    samples: int | None = None,
    seed: int | None = None,
    projection: bool = True,
    shared: SimData | None = None,
) -> Result:
    """Run one scenario on scoped_usage: exact central costs, bands, quality, curve and projection.
    `shared`: see collect."""
    data = collect(con, table, sc, shared=shared)
    warnings: list[str] = []
    if data.target_unpriced:
        warnings.append(f"{data.target_unpriced} call(s) stay on their model: the target has no price at their date")
    actual, cf, moved_actual = exact_cost(sc, data)
    arr = _Arrays(data)
    rng = np.random.default_rng(sc.uncertainty.seed if seed is None else seed)
    n_samples = samples or sc.uncertainty.samples
    _central(sc, len(data.pairs))
    pol, qual = sc.policy, sc.quality
    ev: EvalSample | None = None
    if evals_path:
        from finops import evals  # pyarrow and the ingest formats: only when an evals file is given

        ev = evals.load(con, evals_path, sc, data)
    if sc.quality.model == "Q4" and ev is None:
        raise scenario.ScenarioError(f"{sc.name}: quality.model = 'Q4' needs a paired evaluation file (--evals FILE)")
    savings: list[float] = []
    ratios: list[float] = []
    rets: list[float | None] = []
    for _ in range(n_samples):
        w = rng.poisson(1.0, arr.n_blocks).astype(np.float64)
        p = Params(
            tau_factor=[rng.uniform(x.lo, x.hi) / x.tau if x.tau else 1.0 for x in data.pairs],
            gamma_factor=rng.uniform(sc.cost.verbosity.lo, sc.cost.verbosity.hi) / sc.cost.verbosity.value,
            escalation=rng.uniform(pol.escalation.lo, pol.escalation.hi),
            advisor=rng.uniform(pol.advisor_share.lo, pol.advisor_share.hi),
            retention=rng.uniform(qual.retention.lo, qual.retention.hi),
            apgr=rng.uniform(qual.apgr.lo, qual.apgr.hi),
        )
        a, c = arr.cost(sc, p, w)
        savings.append(a - c)
        ratios.append(c / a if a else 1.0)
        if ev is not None:
            rets.append(ev.draw_retention(rng, p))
        else:
            rets.append(retention_prior(sc, data, p))
    s10, s50, s90 = _percentiles(np.array(savings))
    r10, r50, r90 = _percentiles(np.array(ratios))
    if any(r is None for r in rets):
        quality: dict[str, float | None] = {"p10": None, "p50": None, "p90": None}
    else:
        q10, q50, q90 = _percentiles(np.array(rets, dtype=np.float64))
        quality = {"p10": q10, "p50": q50, "p90": q90}
    note = quality_note(sc, quality, ev)
    res = Result(
        scenario=sc,
        data=data,
        actual_usd=actual,
        counterfactual_usd=cf,
        moved_actual_usd=moved_actual,
        savings={k: _dec(v).quantize(CENT) for k, v in (("p10", s10), ("p50", s50), ("p90", s90))},
        cost_ratio_band={"p10": r10, "p50": r50, "p90": r90},
        quality=quality,
        quality_note=note,
        sensitivity=sensitivity(sc, data, arr),
        curve=cost_curve(data),
        markers={},
        projection={},
        evals=ev.summary() if ev else None,
        warnings=warnings,
    )
    res.markers = markers(res)
    if projection:
        res.projection = project(con, sc, res, horizon=horizon, growth=growth)
    return res


def run_many(
    con: duckdb.DuckDBPyConnection, table: pricing.PriceInfo, scenarios: list[scenario.Scenario], **options: Any
) -> list[Result]:
    """Run scenarios in order (options: those of `run`). A scenario with the same calls_key as the one before
    it (same calls and targets, another policy) reuses its ranked calls and counterfactual costs."""
    results: list[Result] = []
    for sc in scenarios:
        prev = results[-1] if results else None
        same = prev is not None and calls_key(table, prev.scenario) == calls_key(table, sc)
        results.append(run(con, table, sc, shared=prev.data if prev and same else None, **options))
    return results


Q2_CURVE = "R(s) = r + (1 - r)(1 - (1 - s)^k), k = APGR/(1 - APGR)"
NOT_A_FORECAST = " (scenario, not a forecast)"


def quality_brief(note: str) -> str:
    """A quality_note on one short line (the analyze panel): without the curve's formula and the caveat."""
    return note.removesuffix(NOT_A_FORECAST).replace(f" {Q2_CURVE};", ",")


def quality_note(sc: scenario.Scenario, q: dict[str, float | None], ev: Any) -> str:
    m = sc.quality
    if m.model == "Q0" and ev is None:
        return "Q0 price only: quality not assessed"
    if ev is not None:
        hi = q["p90"]
        verdict = (
            "no measurable quality loss on the paired sample (the band reaches 1.0)"
            if hi is not None and hi >= 1.0
            else "quality loss measured on the paired sample"
        )
        return f"Q4 paired evaluations ({ev.n_pairs} pairs): {verdict}"
    r = m.retention
    if m.model == "Q1":
        return f"Q1 retention prior r = {r.value} [{r.lo}, {r.hi}]{NOT_A_FORECAST}"
    return (
        f"Q2 routing curve {Q2_CURVE}; r = {r.value} [{r.lo}, {r.hi}], "
        f"APGR = {m.apgr.value} [{m.apgr.lo}, {m.apgr.hi}]{NOT_A_FORECAST}"
    )


def sensitivity(sc: scenario.Scenario, data: SimData, arr: _Arrays) -> list[dict[str, Any]]:
    """Tornado: savings with one parameter at its low and at its high, the others central."""
    central = _central(sc, len(data.pairs))
    ones = np.ones(arr.n_blocks)
    rows = []

    def saving(p: Params) -> float:
        a, c = arr.cost(sc, p, ones)
        return a - c

    pol = sc.policy
    variants: list[tuple[str, Params, Params]] = []
    if data.pairs and any(x.lo != x.hi for x in data.pairs):
        lo = Params([x.lo / x.tau for x in data.pairs], 1.0, central.escalation, central.advisor, 0, 0)
        hi = Params([x.hi / x.tau for x in data.pairs], 1.0, central.escalation, central.advisor, 0, 0)
        variants.append(("tokenizer ratio", lo, hi))
    v = sc.cost.verbosity
    variants.append(
        (
            "output verbosity ratio",
            Params(central.tau_factor, v.lo / v.value, central.escalation, central.advisor, 0, 0),
            Params(central.tau_factor, v.hi / v.value, central.escalation, central.advisor, 0, 0),
        )
    )
    if pol.kind == "cascade":
        e = pol.escalation
        variants.append(
            (
                "escalation rate",
                Params(central.tau_factor, 1.0, e.lo, central.advisor, 0, 0),
                Params(central.tau_factor, 1.0, e.hi, central.advisor, 0, 0),
            )
        )
    if pol.kind == "advisor":
        a = pol.advisor_share
        variants.append(
            (
                "advisor share",
                Params(central.tau_factor, 1.0, central.escalation, a.lo, 0, 0),
                Params(central.tau_factor, 1.0, central.escalation, a.hi, 0, 0),
            )
        )
    for name, lo_p, hi_p in variants:
        s_lo, s_hi = saving(lo_p), saving(hi_p)
        rows.append(
            {
                "parameter": name,
                "savings_at_low": _dec(s_lo).quantize(CENT),
                "savings_at_high": _dec(s_hi).quantize(CENT),
                "swing": _dec(abs(s_hi - s_lo)).quantize(CENT),
            }
        )
    if sc.quality.model in ("Q1", "Q2"):
        for name, attr in (("retention prior r", "retention"), ("APGR", "apgr")):
            if name == "APGR" and sc.quality.model != "Q2":
                continue
            band = getattr(sc.quality, attr)
            lo_p = Params(central.tau_factor, 1.0, central.escalation, central.advisor, central.retention, central.apgr)
            hi_p = Params(central.tau_factor, 1.0, central.escalation, central.advisor, central.retention, central.apgr)
            setattr(lo_p, attr, band.lo)
            setattr(hi_p, attr, band.hi)
            rows.append(
                {
                    "parameter": name,
                    "savings_at_low": None,
                    "savings_at_high": None,
                    "swing": ZERO,
                    "retention_at_low": retention_prior(sc, data, lo_p),
                    "retention_at_high": retention_prior(sc, data, hi_p),
                }
            )
    rows.sort(key=lambda r: Decimal(str(r["swing"])), reverse=True)
    return rows


def cost_curve(data: SimData) -> list[dict[str, Any]]:
    """Cost ratio against the share of calls kept on their (frontier) model, kept = most complex first."""
    by_bucket = {b: (a, c) for b, a, c in data.curve_buckets}
    total = sum((a for a, _ in by_bucket.values()), ZERO)
    points = []
    for j in range(0, 101):  # keep share j%: the calls whose bucket is <= j stay (same rounding as top-k)
        kept = sum((by_bucket[b][0] for b in by_bucket if b <= j), ZERO)
        moved = sum((by_bucket[b][1] for b in by_bucket if b > j), ZERO)
        cost = kept + moved
        points.append(
            {
                "share_kept": Decimal(j) / 100,
                "cost_usd": cost,
                "cost_ratio": (cost / total) if total else None,
                "spend_share_kept": (kept / total) if total else None,
            }
        )
    return points


def markers(res: Result) -> dict[str, Any]:
    curve = {p["share_kept"]: p for p in res.curve}
    arm = curve.get(Decimal(20) / 100, {})
    return {
        "today": {"share_kept": "1", "cost_ratio": "1"},
        "naive_80_20": {
            "share_kept": "0.2",
            "cost_ratio": str(NAIVE_80_20),
            "formula": "0.2 + 0.8 x 0.01 = 0.208 (assumes the kept 20% of calls are 20% of spend)",
        },
        "armstrong_on_this_mix": {
            "share_kept": "0.2",
            "cost_ratio": None if arm.get("cost_ratio") is None else str(arm["cost_ratio"].quantize(Decimal("0.0001"))),
            "spend_share_kept": None
            if arm.get("spend_share_kept") is None
            else str(arm["spend_share_kept"].quantize(Decimal("0.0001"))),
        },
        "harvey": {
            "cost_ratio": str(HARVEY_MEASURED),
            "note": "GLM 5.1 worker + Opus 4.7 advisor, 18/100 vs 14/100 all-pass at $368 vs $954 (routing.md §5)",
        },
        "scenario": {
            "share_kept": f"{kept_share(res.scenario, res.data):.4f}",
            "cost_ratio": None if res.cost_ratio is None else str(res.cost_ratio.quantize(Decimal("0.0001"))),
        },
    }


# ---------------------------------------------------------------------- projection


def _months_after(last: str, n: int) -> list[str]:
    y, m = int(last[:4]), int(last[5:7])
    out = []
    for _ in range(n):
        m += 1
        if m > 12:
            y, m = y + 1, 1
        out.append(f"{y:04d}-{m:02d}")
    return out


def _ramp(kind: str, months: int, t: int) -> float:
    if kind == "linear":
        return min(1.0, t / months)
    x = (t - months / 2) * (8 / months)  # logistic, ~0 at t=0 and ~1 at t=months
    lo, hi = 1 / (1 + np.exp(4)), 1 / (1 + np.exp(-4))
    return float(min(1.0, max(0.0, (1 / (1 + np.exp(-x)) - lo) / (hi - lo))))


def project(
    con: duckdb.DuckDBPyConnection, sc: scenario.Scenario, res: Result, *, horizon: int | None, growth: float | None
) -> dict[str, Any]:
    """Month-by-month baseline (trend of the in-scope history), adoption ramp, savings with a band."""
    pr = sc.projection
    horizon = horizon or pr.horizon
    growth = pr.growth if growth is None else growth
    hist = con.execute(
        "select strftime(date_trunc('month', ts), '%Y-%m') as m, sum(actual_usd) from sim_calls group by 1 order by 1"
    ).fetchall()
    history = [(m, Decimal(v)) for m, v in hist]
    if not history:
        return {"method": "no history", "months": []}
    if len(history) < 3 and growth is None:
        raise scenario.ScenarioError(
            f"Only {len(history)} month(s) of history: refusing to extrapolate a trend from fewer than 3.",
            hint="State a monthly growth rate with --growth (e.g. --growth 0.05 for +5%/month).",
        )
    last_month, last_value = history[-1]
    if growth is not None:
        method = f"stated growth {growth:+.2%} per month from {last_month} ({money_str(last_value)})"

        def baseline(t: int) -> Decimal:
            return last_value * _dec((1 + growth) ** t)
    else:
        ys = np.array([float(v) for _, v in history])
        xs = np.arange(len(ys), dtype=np.float64)
        slope, intercept = np.polyfit(xs, ys, 1)
        method = f"linear least-squares trend over {len(ys)} months ({slope:+.2f} USD/month)"

        def baseline(t: int) -> Decimal:
            return max(ZERO, _dec(intercept + slope * (len(ys) - 1 + t)))

    actual = res.actual_usd or Decimal(1)
    ratio = res.counterfactual_usd / actual
    moved_ratio = (res.counterfactual_usd - (res.actual_usd - res.moved_actual_usd)) / actual
    band = res.cost_ratio_band
    months = []
    cum = {"p10": ZERO, "p50": ZERO, "p90": ZERO}
    decline = pr.small_price_decline_per_year
    for t, month in enumerate(_months_after(last_month, horizon), start=1):
        base = baseline(t)
        adopt = _dec(_ramp(pr.ramp, pr.ramp_months, t))
        deflate = _dec((1 - decline) ** (t / 12)) if decline else Decimal(1)
        r_central = ratio - moved_ratio * (1 - deflate)
        # the band keeps the Monte Carlo spread around the exact central ratio
        r_lo = r_central + _dec(band["p10"]) - _dec(band["p50"])
        r_hi = r_central + _dec(band["p90"]) - _dec(band["p50"])
        sav = {
            "p10": (base * adopt * (1 - r_hi)).quantize(CENT),
            "p50": (base * adopt * (1 - r_central)).quantize(CENT),
            "p90": (base * adopt * (1 - r_lo)).quantize(CENT),
        }
        for k in cum:
            cum[k] += sav[k]
        months.append(
            {
                "month": month,
                "baseline_usd": base.quantize(CENT),
                "adoption": float(adopt),
                "projected_usd": (base - sav["p50"]).quantize(CENT),
                "savings_usd": sav,
                "cumulative_savings_usd": dict(cum),
            }
        )
    return {
        "method": method,
        "history": [{"month": m, "spend_usd": v} for m, v in history],
        "ramp": f"{pr.ramp} over {pr.ramp_months} months",
        "small_price_decline_per_year": decline,
        "months": months,
    }


def money_str(d: Decimal) -> str:
    return f"${d.quantize(CENT):,}"


def to_json(res: Result) -> dict[str, Any]:
    """The --json document for one scenario (money as decimal strings)."""
    sc = res.scenario

    def conv(v: Any) -> Any:
        if isinstance(v, Decimal):
            return str(v)
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v

    n = res.data.calls_in_scope
    doc: dict[str, Any] = conv(
        {
            "scenario": sc.name,
            "description": sc.description,
            "policy": sc.policy.model_dump(mode="json"),
            "quality_model": {
                "name": sc.quality.model if not res.evals else "Q4",
                "note": res.quality_note,
                "parameters": sc.quality.model_dump(mode="json"),
            },
            "calls_in_scope": n,
            "calls_moved": res.calls_moved,
            "calls_not_priced_excluded": res.data.unpriced_excluded,
            "calls_not_in_scope": res.data.not_in_scope,
            "spend_not_in_scope_usd": res.data.not_in_scope_usd,
            "share_calls_moved": f"{res.calls_moved / n:.6f}" if n else None,
            "share_spend_moved": str((res.moved_actual_usd / res.actual_usd).quantize(Decimal("0.000001")))
            if res.actual_usd
            else None,
            "cost_actual_usd": res.actual_usd,
            "cost_counterfactual_usd": res.counterfactual_usd,
            "cost_ratio": None if res.cost_ratio is None else str(res.cost_ratio.quantize(Decimal("0.000001"))),
            "savings_usd": {"exact": res.savings_usd, **res.savings},
            "cost_ratio_band": {k: f"{v:.6f}" for k, v in res.cost_ratio_band.items()},
            "quality_retained": {k: (None if v is None else f"{v:.6f}") for k, v in res.quality.items()},
            "sensitivity": res.sensitivity,
            "curve": res.curve,
            "markers": res.markers,
            "projection": res.projection,
            "evals": res.evals,
            "warnings": res.warnings,
            "tokenizer_pairs": [
                {
                    "from": p.src,
                    "to": p.dst,
                    "ratio": p.tau,
                    "low": p.lo,
                    "high": p.hi,
                    "cache": "cold" if p.cold else "kept",
                }
                for p in res.data.pairs
            ],
        }
    )
    return doc
