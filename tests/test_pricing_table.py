"""The price-table loader (finops/pricing.py): bad files are rejected with a message naming file, model and field."""

from __future__ import annotations

import shutil
import textwrap
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from finops import db, pricing
from finops.errors import PriceFileError
from tests.helpers import ROOT, add_call, store

GOOD_MODEL = """
provider = "acme"

[sources.acme-pricing]
url = "https://acme.example/pricing"
title = "Acme pricing"

[[models]]
id = "acme-one"
name = "Acme One"
match = ["acme-one-2025-01-01", "acme-one-2025-*"]

  [[models.periods]]
  from = 2025-01-01T00:00:00Z
  to = 2025-06-01T00:00:00Z
  source = "acme-pricing"
  confidence = "A"
  input = "2.50"
  output = "10"

  [[models.periods]]
  from = 2025-06-01T00:00:00Z
  source = "acme-pricing"
  confidence = "A"
  input = "1.25"
  cache_read = "0.125"
  output = "5"

[[aliases]]
name = "acme-latest"
target = "acme-one"
from = 2025-01-01T00:00:00Z
source = "acme-pricing"

[[modifiers]]
service_tier = "batch"
factor = "0.5"
from = 2025-01-01T00:00:00Z
models = ["acme-*"]
source = "acme-pricing"
"""


def write_dir(tmp_path: Path, text: str) -> Path:
    d = tmp_path / "prices"
    d.mkdir()
    shutil.copy(ROOT / "pricing" / "VERSION", d / "VERSION")
    (d / "acme.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    return d


def test_the_fixture_table_is_valid(tmp_path: Path) -> None:
    t = pricing.load(write_dir(tmp_path, GOOD_MODEL))
    assert [m.id for _p, m in t.models()] == ["acme-one"]
    assert t.lookup("acme-one-2025-03-03") == ["acme-one"]
    assert t.lookup("acme-latest") == ["acme-one"]


# (id, text replaced in GOOD_MODEL, replacement, words the error must contain)
BAD = [
    (
        "overlapping-periods",
        'to = 2025-06-01T00:00:00Z\n  source = "acme-pricing"',
        'to = 2025-07-01T00:00:00Z\n  source = "acme-pricing"',
        ["acme.toml", "acme-one", "periods[1]", "overlap"],
    ),
    ("float-rate", 'input = "2.50"', "input = 2.5", ["acme.toml", "acme-one", "input"]),
    ("int-rate", 'output = "10"', "output = 10", ["acme.toml", "acme-one", "output"]),
    ("negative-rate", 'input = "2.50"', 'input = "-2.50"', ["acme.toml", "acme-one", "input", "non-negative"]),
    ("too-many-decimals", 'input = "2.50"', 'input = "2.1234567"', ["acme.toml", "acme-one", "input", "decimal"]),
    ("not-a-number", 'input = "2.50"', 'input = "two"', ["acme.toml", "acme-one", "input"]),
    ("unknown-key", 'input = "2.50"', 'input = "2.50"\n  inputt = "3"', ["acme.toml", "acme-one", "inputt"]),
    (
        "alias-to-missing-model",
        'target = "acme-one"',
        'target = "acme-two"',
        ["acme.toml", "acme-latest", "target", "acme-two"],
    ),
    (
        "naive-datetime",
        "from = 2025-01-01T00:00:00Z\n  to = 2025-06-01T00:00:00Z",
        "from = 2025-01-01T00:00:00\n  to = 2025-06-01T00:00:00Z",
        ["acme.toml", "acme-one", "from", "time zone"],
    ),
    (
        "unknown-source-id",
        'to = 2025-06-01T00:00:00Z\n  source = "acme-pricing"',
        'to = 2025-06-01T00:00:00Z\n  source = "acme-blog"',
        ["acme.toml", "acme-one", "source", "acme-blog"],
    ),
    ("modifier-matching-no-model", 'models = ["acme-*"]', 'models = ["zeta-*"]', ["acme.toml", "modifiers", "zeta-*"]),
    (
        "modifier-exclude-matching-no-model",
        'models = ["acme-*"]',
        'models = ["acme-*"]\nexclude = ["acme-two"]',
        ["acme.toml", "modifiers[0].exclude", "acme-two"],
    ),
    (
        "two-rules-of-one-tier-for-a-model",
        'models = ["acme-*"]\nsource = "acme-pricing"\n',
        'models = ["acme-*"]\nsource = "acme-pricing"\n\n[[modifiers]]\nservice_tier = "batch"\nfactor = "1"\n'
        'from = 2025-01-01T00:00:00Z\nmodels = ["acme-one"]\nsource = "acme-pricing"\n',
        ["batch", "acme-one", "overlap"],
    ),
    (
        "fee-rule-without-a-fee",
        'models = ["acme-*"]\nsource = "acme-pricing"\n',
        'models = ["acme-*"]\nsource = "acme-pricing"\n\n[[fees]]\nfrom = 2025-01-01T00:00:00Z\n'
        'source = "acme-pricing"\n',
        ["acme.toml", "fees[0]", "web_search"],
    ),
    (
        "fee-as-a-float",
        'models = ["acme-*"]\nsource = "acme-pricing"\n',
        'models = ["acme-*"]\nsource = "acme-pricing"\n\n[[fees]]\nweb_search = 10.0\nfrom = 2025-01-01T00:00:00Z\n'
        'source = "acme-pricing"\n',
        ["acme.toml", "fees", "web_search", "STRINGS"],
    ),
    (
        "two-fee-rules-for-a-model",
        'models = ["acme-*"]\nsource = "acme-pricing"\n',
        'models = ["acme-*"]\nsource = "acme-pricing"\n\n[[fees]]\nweb_search = "10"\nfrom = 2025-01-01T00:00:00Z\n'
        'source = "acme-pricing"\n\n[[fees]]\nweb_search = "5"\nfrom = 2025-03-01T00:00:00Z\nmodels = ["acme-one"]\n'
        'source = "acme-pricing"\n',
        ["fees", "acme-one", "overlap"],
    ),
    ("provider-not-file-stem", 'provider = "acme"', 'provider = "acme-corp"', ["acme.toml", "acme-corp"]),
    (
        "missing-output-rate",
        'input = "1.25"\n  cache_read = "0.125"\n  output = "5"',
        'input = "1.25"\n  cache_read = "0.125"',
        ["acme.toml", "acme-one", "periods[1]", "output"],
    ),
]


@pytest.mark.parametrize(("old", "new", "words"), [pytest.param(*b[1:], id=b[0]) for b in BAD])
def test_bad_price_file_is_rejected(tmp_path: Path, old: str, new: str, words: list[str]) -> None:
    assert GOOD_MODEL.count(old) == 1, f"the fixture edit {old!r} is ambiguous"
    d = write_dir(tmp_path, GOOD_MODEL.replace(old, new))
    with pytest.raises(PriceFileError) as e:
        pricing.load(d)
    message = e.value.message
    for w in words:
        assert w in message, f"{w!r} not in the error: {message}"


def test_real_table_loads() -> None:
    t = pricing.load(ROOT / "pricing")
    ids = [m.id for _p, m in t.models()]
    assert len(ids) > 50
    assert len(ids) == len(set(ids))
    assert {"openai", "anthropic", "google"} <= set(t.providers)
    assert t.version == (ROOT / "pricing" / "VERSION").read_text().strip()


def test_install_twice_with_same_digest_is_a_noop() -> None:
    t = pricing.load(ROOT / "pricing")
    con = db.connect(":memory:")
    assert pricing.install(con, t) is True
    counts = [con.execute(f"select count(*) from {x}").fetchone() for x in ("prices", "model_names", "price_meta")]
    loaded_at = con.execute("select loaded_at from price_meta").fetchall()
    assert pricing.install(con, t) is False
    assert [con.execute(f"select count(*) from {x}").fetchone() for x in ("prices", "model_names", "price_meta")] == (
        counts
    )
    assert con.execute("select loaded_at from price_meta").fetchall() == loaded_at
    assert pricing.install(con, t, force=True) is True


# Fixed in 2026.11.22-2: a factor has at most 4 decimal places (the store's DECIMAL(9, 4)); more is rejected.
def test_modifier_factor_is_kept_exactly_or_rejected(tmp_path: Path) -> None:
    d = write_dir(tmp_path, GOOD_MODEL.replace('factor = "0.5"', 'factor = "0.12345"'))
    try:
        t = pricing.load(d)
    except PriceFileError as e:  # rejecting the factor is fine too
        assert "factor" in e.message
        return
    con = store(t)
    key = add_call(con, "acme-one", datetime(2025, 7, 1, tzinfo=UTC), input_uncached=1_000_000, service_tier="batch")
    row = con.execute("select cost_usd, price_status from priced_usage where dedupe_key = ?", [key]).fetchone()
    # 1,000,000 × 1.25 / 1e6 × 0.12345 = 0.1543125
    assert row == (Decimal("0.1543125"), "priced")


TWO_MODELS = (
    GOOD_MODEL
    + """
[[models]]
id = "acme-two"
name = "Acme Two"

  [[models.periods]]
  from = 2025-01-01T00:00:00Z
  source = "acme-pricing"
  confidence = "A"
  input = "2"
  cache_read = "0.5"
  output = "8"
"""
)


def test_modifier_exclude_leaves_a_model_to_its_own_rule(tmp_path: Path) -> None:
    """A provider-wide batch rule with `exclude`, and the excluded model's own rule with a per-bucket factor:
    each model is priced by exactly one rule (why: OpenAI/Gemini batch discount cached input per generation)."""
    text = (
        TWO_MODELS.replace('models = ["acme-*"]', 'models = ["*"]\nexclude = ["acme-two"]')
        + """
[[modifiers]]
service_tier = "batch"
factor = "0.5"
factors = { cache_read = "1" }
from = 2025-01-01T00:00:00Z
models = ["acme-two"]
source = "acme-pricing"
"""
    )
    t = pricing.load(write_dir(tmp_path, text))
    assert [m.factors.cache_read for m in t.modifiers_for("acme-two")] == ["1"]
    assert [m.factors.cache_read for m in t.modifiers_for("acme-one")] == [None]
    con = store(t)
    at = datetime(2025, 7, 1, tzinfo=UTC)
    one = add_call(con, "acme-one", at, input_uncached=1_000_000, cache_read=1_000_000, service_tier="batch")
    two = add_call(con, "acme-two", at, input_uncached=1_000_000, cache_read=1_000_000, service_tier="batch")
    rows = dict(con.execute("select dedupe_key, cost_usd from priced_usage").fetchall())
    # acme-one: (1.25 + 0.125) x 0.5 = 0.6875; acme-two: 2 x 0.5 + 0.5 x 1 = 1 + 0.5 = 1.5
    assert rows == {one: Decimal("0.6875"), two: Decimal("1.5")}
