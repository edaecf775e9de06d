"""Q4: the user's paired evaluation file (`--evals FILE`, CSV or Parquet: request_id, model, score).

Scores in [0, 1] of the ORIGINAL model and of the CANDIDATE (the scenario's target) for a sample of
logged calls. From the pairs: retention per tag, the retention of the chosen policy on the sample, the
oracle upper bound at the same moved share, and a bootstrap band. Retention = mean used score / mean
original score. Only this quality model may conclude "no measurable quality loss", and only when its
band reaches 1.0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from finops.ingest import normalise_model_sql
from finops.scenario import Scenario, ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    from finops.simulate import Params, SimData

REQUIRED = ("request_id", "model", "score")


def read(path: Path) -> pa.Table:
    """The evals table, validated: the three columns, scores numeric in [0, 1] (error names row and value)."""
    if not path.is_file():
        raise ScenarioError(f"No evaluation file {path}")
    try:
        if path.suffix.lower() == ".parquet":
            t = pq.read_table(path)
        else:
            t = pacsv.read_csv(
                path,
                convert_options=pacsv.ConvertOptions(
                    strings_can_be_null=True,
                    column_types={"request_id": pa.string(), "model": pa.string(), "score": pa.string()},
                ),
            )
    except (pa.ArrowInvalid, OSError) as e:
        raise ScenarioError(f"{path}: cannot read as CSV or Parquet: {e}") from e
    missing = [c for c in REQUIRED if c not in t.column_names]
    if missing:
        raise ScenarioError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(REQUIRED)}")
    scores = t.column("score").to_pylist()
    ids = t.column("request_id").to_pylist()
    models = t.column("model").to_pylist()
    out = []
    row_base = 2 if path.suffix.lower() != ".parquet" else 1  # CSV: line 1 is the header
    for i, (rid, model, raw) in enumerate(zip(ids, models, scores, strict=True)):
        where = f"{path}:{i + row_base}" if row_base == 2 else f"{path} row {i + 1}"
        try:
            score = float(raw)
        except (TypeError, ValueError):
            raise ScenarioError(f"{where}: score = {raw!r} is not a number") from None
        if not 0.0 <= score <= 1.0 or score != score:
            raise ScenarioError(f"{where}: score = {raw} is outside [0, 1]")
        if not rid or not model:
            raise ScenarioError(f"{where}: request_id and model must not be empty")
        out.append((str(rid), str(model), score))
    return pa.table(
        {
            "request_id": [r[0] for r in out],
            "model": [r[1] for r in out],
            "score": pa.array([r[2] for r in out], pa.float64()),
        }
    )


@dataclass
class EvalSample:
    path: str
    orig: np.ndarray
    cand: np.ndarray
    role: np.ndarray  # 'moved' | 'kept' | 'stay'
    tags: list[str | None]
    tag_key: str | None
    kind: str
    rows: int
    matched_ids: int
    unmatched_ids: int
    incomplete: int  # matched calls lacking the original's or the candidate's score
    warnings: list[str] = field(default_factory=list)

    @property
    def n_pairs(self) -> int:
        return len(self.orig)

    def _used(self, idx: np.ndarray, escalation: float, advisor: float) -> float:
        o, c, r = self.orig[idx], self.cand[idx], self.role[idx]
        moved = r == "moved"
        if self.kind == "cascade":
            used = np.where(moved, escalation * o + (1 - escalation) * c, o)
        elif self.kind == "advisor":
            used = np.where(moved, advisor * o + (1 - advisor) * c, o)
        else:
            used = np.where(moved, c, o)
        total = float(o.sum())
        return float(used.sum()) / total if total else float("nan")

    def policy_retention(self, escalation: float, advisor: float) -> float:
        return self._used(np.arange(self.n_pairs), escalation, advisor)

    def draw_retention(self, rng: np.random.Generator, p: Params) -> float:
        idx = rng.integers(0, self.n_pairs, self.n_pairs)
        return self._used(idx, p.escalation, p.advisor)

    def all_to_small(self) -> float:
        return float(self.cand.sum() / self.orig.sum())

    def oracle(self) -> float:
        """Upper bound at the policy's moved share: move the calls that lose the least (or gain)."""
        m = int((self.role == "moved").sum())
        loss = np.sort(self.orig - self.cand)
        return float((self.orig.sum() - loss[:m].sum()) / self.orig.sum())

    def by_tag(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for value in sorted({t or "(none)" for t in self.tags}):
            mask = np.array([(t or "(none)") == value for t in self.tags])
            o = self.orig[mask].sum()
            out[value] = {
                "pairs": int(mask.sum()),
                "retention_all_to_small": None if not o else f"{self.cand[mask].sum() / o:.6f}",
            }
        return out

    def summary(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "rows": self.rows,
            "pairs": self.n_pairs,
            "matched_request_ids": self.matched_ids,
            "unmatched_request_ids": self.unmatched_ids,
            "incomplete_pairs": self.incomplete,
            "retention_all_to_small": f"{self.all_to_small():.6f}",
            "oracle_upper_bound": f"{self.oracle():.6f}",
            "tag": self.tag_key,
            "retention_by_tag": self.by_tag(),
            "warnings": self.warnings,
        }


def load(con: duckdb.DuckDBPyConnection, path: Path | None, sc: Scenario, data: SimData) -> EvalSample | None:
    if path is None:
        return None
    t = read(Path(path))
    con.register("evals_in", t)
    con.execute(
        "create or replace temp table evals as select request_id, model as model_raw, "
        f"{normalise_model_sql('model')} as model, score from evals_in"
    )
    con.unregister("evals_in")
    tag_key = sc.quality.tag or sc.policy.tag or "team"
    ids = con.execute("select count(distinct request_id) from evals").fetchone()
    n_ids = int(ids[0]) if ids else 0
    rows = con.execute(
        """
        with m as (
            select c.dedupe_key, u.model, c.price_model, c.target, u.tags[$tag] as tag,
                   case when c.kept then 'kept' when c.target is not null then 'moved' else 'stay' end as role,
                   e.request_id, e.model as eval_model, e.score
            from sim_calls c
            join usage u on u.dedupe_key = c.dedupe_key  -- the logged model, tags and request id
            join evals e on e.request_id in (u.request_id, split_part(c.dedupe_key, ':', 2))
        )
        select dedupe_key, any_value(role), any_value(tag),
               max(score) filter (where eval_model in (model, price_model)
                                  or left(eval_model, length(price_model)) = price_model) as orig,
               max(score) filter (where target is not null and (eval_model = target
                                  or left(eval_model, length(target)) = target)) as cand,
               any_value(request_id)
        from m
        group by dedupe_key
        order by dedupe_key
        """,
        {"tag": tag_key},
    ).fetchall()
    matched = len({r[5] for r in rows})
    if not rows:
        raise ScenarioError(
            f"{path}: none of its {n_ids} request_id(s) matches a call in the scenario's scope",
            hint="request_id must be the provider id the logs carry (chatcmpl-…, msg_…, resp_…).",
        )
    complete = [r for r in rows if r[3] is not None and (r[4] is not None or r[1] != "moved")]
    incomplete = len(rows) - len(complete)
    sample = EvalSample(
        path=str(path),
        orig=np.array([float(r[3]) for r in complete]),
        cand=np.array([float(r[4]) if r[4] is not None else float(r[3]) for r in complete]),
        role=np.array([r[1] for r in complete]),
        tags=[r[2] for r in complete],
        tag_key=tag_key,
        kind=sc.policy.kind,
        rows=t.num_rows,
        matched_ids=matched,
        unmatched_ids=n_ids - matched,
        incomplete=incomplete,
    )
    if sample.unmatched_ids:
        sample.warnings.append(f"{sample.unmatched_ids} of {n_ids} request_id(s) match no call in scope")
    if incomplete:
        sample.warnings.append(f"{incomplete} matched call(s) lack the original's or the candidate's score")
    if not sample.n_pairs or not sample.orig.sum():
        raise ScenarioError(f"{path}: no complete (original, candidate) pair with a positive original score")
    return sample
