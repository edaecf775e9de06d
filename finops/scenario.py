"""Scenario files: which calls move, where to, and which quality model judges it (TOML, validated).

Shipped presets live in finops/scenarios/*.toml (`aispend simulate --list`). Shares, ratios and
probabilities are plain numbers (they are parameters, not money); every money figure is computed in
SQL as exact DECIMAL.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from finops.errors import UsageError

Share = float


class ScenarioError(UsageError):
    """A scenario (or evals) file breaks its schema: names the file, field and value."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _share(v: float, name: str) -> float:
    if not 0.0 <= float(v) <= 1.0:
        raise ValueError(f"{name} must be a share in [0, 1], got {v}")
    return float(v)


class Band(_Strict):
    """A central value with a low/high range for Monte Carlo (uniform on [low, high])."""

    value: float
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        lo = self.value if self.low is None else self.low
        hi = self.value if self.high is None else self.high
        if not lo <= self.value <= hi:
            raise ValueError(f"need low <= value <= high, got {lo}, {self.value}, {hi}")
        return self

    @property
    def lo(self) -> float:
        return self.value if self.low is None else self.low

    @property
    def hi(self) -> float:
        return self.value if self.high is None else self.high


class Scope(_Strict):
    models: list[str] = Field(default_factory=lambda: ["*"])  # price-table ids; trailing '*' patterns
    providers: list[str] = Field(default_factory=list)  # empty: all
    tags: dict[str, list[str]] = Field(default_factory=dict)  # tag key -> allowed values
    since: datetime | None = None
    until: datetime | None = None


class Policy(_Strict):
    kind: Literal["all-to-small", "top-k", "per-tag", "cascade", "advisor"]
    keep: Share = 0.2  # top-k: share kept on the original model
    keep_by: Literal["calls", "spend"] = "calls"  # top-k: k as a share of calls or of spend
    tag: str | None = None  # per-tag: the tag key
    targets: dict[str, str] = Field(default_factory=dict)  # per-tag: tag value -> target model
    escalation: Band = Band(value=0.15, low=0.05, high=0.30)  # cascade: share escalated to the original
    judge_cost: float = 0.0  # cascade: judge cost relative to the small call
    advisor_share: Band = Band(value=0.10, low=0.05, high=0.25)  # advisor: share of steps on the frontier

    @field_validator("keep")
    @classmethod
    def _keep(cls, v: float) -> float:
        return _share(v, "policy.keep")

    @model_validator(mode="after")
    def _check(self) -> Policy:
        for name, band in (("policy.escalation", self.escalation), ("policy.advisor_share", self.advisor_share)):
            for x in (band.lo, band.value, band.hi):
                _share(x, name)
        if self.kind == "per-tag" and (not self.tag or not self.targets):
            raise ValueError("a per-tag policy needs policy.tag and policy.targets")
        if self.judge_cost < 0:
            raise ValueError("policy.judge_cost must be >= 0")
        return self


class Complexity(_Strict):
    """The documented complexity score: a weighted size of the call, optionally scaled by a tag prior.

    score = (prompt + output_weight x output + reasoning_weight x reasoning + tool_weight x tool calls)
            x tag_priors[tags[tag]] (1 where the tag has no prior).
    Prompt length is a weak but real difficulty signal (AUC ~0.57), the task tag the strongest cheap one
    (APGR ~0.64), output length a post-hoc one (routing.md §7).
    """

    output_weight: float = Field(default=4.0, ge=0)
    reasoning_weight: float = Field(default=0.0, ge=0)
    tool_weight: float = Field(default=0.0, ge=0)
    tag: str | None = None
    tag_priors: dict[str, float] = Field(default_factory=dict)


class CostModel(_Strict):
    tokenizer_ratio: float | None = None  # None: per model family, from finops/scenarios/tokenizers.toml
    verbosity: Band = Band(value=1.0, low=0.8, high=1.3)  # output tokens of the target / of the original
    cache: Literal["auto", "cold", "keep"] = "auto"  # auto: keep within a vendor, cold across vendors


class Quality(_Strict):
    model: Literal["Q0", "Q1", "Q2", "Q4"] = "Q0"
    retention: Band = Band(value=0.85, low=0.74, high=0.90)  # r, all-to-small retention prior
    retention_by_tag: dict[str, float] = Field(default_factory=dict)  # Q1: tag value -> r
    tag: str | None = None  # Q1: which tag key retention_by_tag refers to
    apgr: Band = Band(value=0.64, low=0.57, high=0.70)  # Q2: tag-prior preset (routing.md §9.4)


class Uncertainty(_Strict):
    samples: int = Field(default=400, ge=20, le=20000)
    seed: int = 20260601


class Projection(_Strict):
    horizon: int = Field(default=18, ge=1, le=120)
    ramp: Literal["linear", "s-curve"] = "linear"
    ramp_months: int = Field(default=6, ge=1, le=60)
    growth: float | None = None  # monthly growth of the baseline; required with < 3 months of history
    small_price_decline_per_year: float = 0.0  # optional deflation of the cheap tier (a16z "LLMflation")


class Scenario(_Strict):
    name: str
    description: str = ""
    scope: Scope = Scope()
    substitution: dict[str, str] = Field(default_factory=dict)  # model or 'prefix*' -> target; default map
    policy: Policy
    complexity: Complexity = Complexity()
    cost: CostModel = CostModel()
    quality: Quality = Quality()
    uncertainty: Uncertainty = Uncertainty()
    projection: Projection = Projection()


def _load(path: Path | str, text: str) -> Scenario:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"{path}: not valid TOML: {e}") from e
    return parse(data, str(path))


def parse(data: dict[str, Any], where: str = "scenario") -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        value = err.get("input")
        shown = "" if isinstance(value, dict) else f" (value: {value!r})"
        raise ScenarioError(
            f"{where}: {loc}: {err['msg']}{shown}", hint="See the presets: aispend simulate --list"
        ) from e


def presets() -> dict[str, Scenario]:
    folder = resources.files("finops") / "scenarios"
    out = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml") and entry.name != "tokenizers.toml":
            sc = _load(entry.name, entry.read_text(encoding="utf-8"))
            out[sc.name] = sc
    return out


def load(path: Path) -> Scenario:
    if not path.is_file():
        raise ScenarioError(f"No scenario file {path}")
    return _load(path, path.read_text(encoding="utf-8"))


def preset(name: str) -> Scenario:
    all_ = presets()
    if name not in all_:
        raise ScenarioError(f"No preset '{name}'.", hint=f"Presets: {', '.join(sorted(all_))}")
    return all_[name]
