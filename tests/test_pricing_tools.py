"""`aispend prices check | diff | import | show` (finops/pricing_tools.py, finops/cli.py)."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finops import pricing, pricing_tools
from finops.cli import app
from tests.helpers import ROOT

runner = CliRunner()

ACME = """
provider = "acme"

[cache_multiples]
cache_read = ["0.1"]

[sources.s]
url = "https://acme.example/pricing"

[sources.memo]
title = "a memo with no link"

[[models]]
id = "acme-one"
name = "Acme One"
match = ["acme-one-2025-*"]

  [[models.periods]]
  from = 2025-01-01T00:00:00Z
  to = 2025-03-01T00:00:00Z
  source = "memo"
  confidence = "C"
  input = "2"
  cache_read = "0.5"
  output = "8"

  [[models.periods]]
  from = 2025-04-01T00:00:00Z
  source = "s"
  confidence = "A"
  input = "1"
  cache_read = "0.1"
  output = "4"
"""


def acme(tmp_path: Path, text: str = ACME, name: str = "a") -> Path:
    d = tmp_path / name
    d.mkdir()
    shutil.copy(ROOT / "pricing" / "VERSION", d / "VERSION")
    (d / "acme.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    return d


def test_lint_finds_gap_cache_multiple_unverified_and_unlinked_source(tmp_path: Path) -> None:
    findings = pricing_tools.lint(pricing.load(acme(tmp_path)))
    lines = [f.line() for f in findings]
    assert any("gap" in x and "periods[0]" in x for x in lines), lines
    assert any("cache_read" in x and "0.25x input 2" in x for x in lines), lines
    assert any("sources.memo" in x for x in lines), lines
    assert any(f.kind == "unverified" and f.model == "acme-one" for f in findings)


def test_prices_check_cli_strict_fails_on_warnings(tmp_path: Path) -> None:
    d = acme(tmp_path)
    r = runner.invoke(app, ["--pricing-dir", str(d), "prices", "check"])
    assert r.exit_code == 0, r.output
    assert "warning: acme.toml: model 'acme-one' periods[0]: gap" in r.stdout.replace("\n", " ").replace("  ", " ")
    r = runner.invoke(app, ["--pricing-dir", str(d), "prices", "check", "--strict"])
    assert r.exit_code == 1
    r = runner.invoke(app, ["--pricing-dir", str(d), "prices", "check", "--json"])
    doc = json.loads(r.stdout)
    assert doc["models"] == 1 and len(doc["warnings"]) == 3


def test_prices_check_real_table_and_bad_file(tmp_path: Path) -> None:
    r = runner.invoke(app, ["prices", "check"])
    assert r.exit_code == 0, r.output
    bad = acme(tmp_path, ACME.replace('input = "1"', "input = 1.0"))
    r = runner.invoke(app, ["--pricing-dir", str(bad), "prices", "check"])
    assert r.exit_code == 1
    assert "acme.toml" in r.stderr and "acme-one" in r.stderr and "input" in r.stderr


ODD = """
provider = "acme"

[cache_multiples]
cache_read = ["0.1"]
cache_write_5m = ["1.25"]

[sources.s]
url = "https://acme.example/pricing"

[[models]]
id = "acme-one"
name = "Acme One"

  [[models.periods]]
  from = 2025-01-01T00:00:00Z
  source = "s"
  confidence = "A"
  input = "0.25"
  cache_read = "0.03"
  cache_write_5m = "0.30"
  output = "1.25"

    [[models.periods.tiers]]
    above = 100000
    input = "0.5"
    cache_read = "0.07"
    cache_write_5m = "0.625"
    output = "2.5"
EXCEPTIONS"""

ACK_READ = """
    [[models.periods.cache_exceptions]]
    bucket = "cache_read"
    rate = "0.030"
    source = "s"
    reason = "published rounded"
"""


def odd(tmp_path: Path, exceptions: str = "", name: str = "a") -> Path:
    return acme(tmp_path, ODD.replace("EXCEPTIONS", exceptions), name)


def multiple_warnings(d: Path) -> list[str]:
    return sorted(f.field for f in pricing_tools.lint(pricing.load(d)) if f.kind == "warning")


def test_lint_fires_on_an_unusual_multiple_unless_that_exact_rate_is_acknowledged(tmp_path: Path) -> None:
    assert multiple_warnings(odd(tmp_path, name="bare")) == [
        "periods[0].cache_read",
        "periods[0].cache_write_5m",
        "periods[0].tiers[0].cache_read",
    ]
    # acknowledging cache_read 0.03 (written 0.030: compared as decimals) silences that rate only: the 5m write
    # and the tier's different cache_read rate still warn
    assert multiple_warnings(odd(tmp_path, ACK_READ, "ack")) == [
        "periods[0].cache_write_5m",
        "periods[0].tiers[0].cache_read",
    ]


def test_an_exception_no_rate_needs_is_reported(tmp_path: Path) -> None:
    # the tier's 5m write 0.625 is the usual 1.25x: acknowledging it is stale
    stale = ACK_READ.replace("cache_read", "cache_write_5m").replace('"0.030"', '"0.625"')
    findings = pricing_tools.lint(pricing.load(odd(tmp_path, ACK_READ + stale)))
    lines = [f.line() for f in findings if f.kind == "warning"]
    assert any("cache_exceptions[1]" in x and "not needed" in x for x in lines), lines
    assert not any("cache_exceptions[0]" in x for x in lines), lines


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (('rate = "0.030"', 'rate = "0.04"'), "acknowledges cache_read = 0.04 but the period prices cache_read at"),
        (('source = "s"', 'source = "nope"'), "cache_exceptions[0].source: unknown source id 'nope'"),
        (('reason = "published rounded"', 'reason = ""'), "reason"),
        (('bucket = "cache_read"', 'bucket = "output"'), "bucket"),
        (('rate = "0.030"', "rate = 0.03"), "decimal STRINGS"),
        (('reason = "published rounded"', 'reason = "x"\n    why = "y"'), "why"),
    ],
)
def test_cache_exceptions_are_validated_strictly(tmp_path: Path, change: tuple[str, str], error: str) -> None:
    d = odd(tmp_path, ACK_READ.replace(*change))
    with pytest.raises(pricing.PriceFileError) as e:
        pricing.load(d)
    assert error in str(e.value) and "acme.toml" in str(e.value)


def test_an_exception_acknowledged_twice_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(pricing.PriceFileError, match="acknowledged twice"):
        pricing.load(odd(tmp_path, ACK_READ + ACK_READ.replace('"0.030"', '"0.03"')))


def test_bundled_table_checks_clean() -> None:
    """Every unusual cache multiple in pricing/ is either fixed or a documented, sourced exception."""
    r = runner.invoke(app, ["prices", "check", "--strict", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["warnings"] == []


def test_diff_reports_added_removed_and_changed_periods(tmp_path: Path) -> None:
    a = acme(tmp_path, name="a")
    changed = ACME.replace('input = "1"', 'input = "0.8"').replace(
        "  [[models.periods]]\n  from = 2025-01-01", "  [[models.periods]]\n  from = 2024-12-01"
    )
    changed += '\n[[models]]\nid = "acme-two"\nname = "Two"\n\n  [[models.periods]]\n  from = 2025-01-01T00:00:00Z\n'
    changed += '  source = "s"\n  confidence = "B"\n  input = "1"\n  output = "1"\n'
    b = acme(tmp_path, changed, name="b")
    r = runner.invoke(app, ["prices", "diff", str(a), str(b)])
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "+ model acme-two" in out
    assert "- acme-one period from 2025-01-01T00:00:00Z" in out
    assert "+ acme-one period from 2024-12-01T00:00:00Z" in out
    assert '~ acme-one period from 2025-04-01T00:00:00Z: input "1" -> "0.8"' in out
    doc = json.loads(runner.invoke(app, ["prices", "diff", str(a), str(b), "--json"]).stdout)
    assert doc["added_models"] == ["acme-two"]
    same = runner.invoke(app, ["prices", "diff", str(a), str(a)]).stdout
    assert "no differences" in same


def test_diff_and_show_report_a_per_request_fee(tmp_path: Path) -> None:
    fee = '\n[[fees]]\nweb_search = "10"\nfrom = 2025-05-01T00:00:00Z\nsource = "s"\nconfidence = "A"\n'
    a = acme(tmp_path, ACME, name="a")
    b = acme(tmp_path, ACME + fee, name="b")
    r = runner.invoke(app, ["prices", "diff", str(a), str(b)])
    assert r.exit_code == 0, r.output
    assert '+ acme-one fee {"from": "2025-05-01T00:00:00+00:00", "to": null, "web_search": "10"}' in r.stdout
    (doc,) = json.loads(runner.invoke(app, ["--pricing-dir", str(b), "prices", "show", "acme-one", "--json"]).stdout)
    assert [(x["web_search"], x["source"], x["from"][:10]) for x in doc["fees_per_1000_requests"]] == [
        ("10", "s", "2025-05-01")
    ]


def test_diff_sees_a_per_bucket_factor_change(tmp_path: Path) -> None:
    """A batch rule whose only change is `factors` (cached input no longer discounted) is a price change."""
    rule = '\n[[modifiers]]\nservice_tier = "batch"\nfactor = "0.5"\nfrom = 2025-01-01T00:00:00Z\nsource = "s"\n'
    a = acme(tmp_path, ACME + rule, name="a")
    b = acme(tmp_path, ACME + rule + 'factors = { cache_read = "1" }\n', name="b")
    doc = json.loads(runner.invoke(app, ["prices", "diff", str(a), str(b), "--json"]).stdout)
    change = doc["models"]["acme-one"]["modifiers"]
    assert [x.get("factor_cache_read") for x in change["added"]] == ["1"]
    assert [x.get("factor_cache_read") for x in change["removed"]] == [None]


LITELLM = {
    "sample_spec": {"input_cost_per_token": 0},
    "acme/acme-one": {
        "litellm_provider": "acme",
        "mode": "chat",
        "input_cost_per_token": 1.2e-06,
        "cache_read_input_token_cost": 1.2e-07,
        "output_cost_per_token": 4e-06,
        "input_cost_per_token_batches": 6e-07,
    },
    "acme/acme-three": {
        "litellm_provider": "acme",
        "mode": "chat",
        "input_cost_per_token": 3e-06,
        "output_cost_per_token": 1.5e-05,
        "input_cost_per_token_above_200k_tokens": 6e-06,
        "output_cost_per_token_above_200k_tokens": 2.25e-05,
    },
    "acme/embed": {"litellm_provider": "acme", "mode": "embedding", "input_cost_per_token": 1e-07},
}


def test_import_litellm_proposes_without_touching_the_table(tmp_path: Path) -> None:
    d = acme(tmp_path)
    before = {p.name: p.read_bytes() for p in d.iterdir()}
    src = tmp_path / "litellm.json"
    src.write_text(json.dumps(LITELLM))
    out = tmp_path / "proposal.toml"
    r = runner.invoke(
        app,
        [
            "--pricing-dir",
            str(d),
            "prices",
            "import",
            "--from",
            "litellm",
            str(src),
            "--as-of",
            "2026-01-01",
            "-o",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert "# ~ acme-one (source id acme-one): input 1 -> 1.2; output 4 -> 4" not in text  # 4 == 4
    assert "# ~ acme-one (source id acme-one): input 1 -> 1.2; cache_read 0.1 -> 0.12" in text
    assert "close the current period (from 2025-04-01) with to = 2026-01-01T00:00:00Z" in text
    assert 'id = "acme-three"' in text and "above = 200000" in text and 'input = "6"' in text
    assert "acme-one: the source prices 'batch'" in text
    assert "embed" not in text
    assert {p.name: p.read_bytes() for p in d.iterdir()} == before
    # the proposal is never written into the table directory
    r = runner.invoke(
        app, ["--pricing-dir", str(d), "prices", "import", "--from", "litellm", str(src), "-o", str(d / "x.toml")]
    )
    assert r.exit_code == 2 and not (d / "x.toml").exists()


def test_import_genai_yaml_of_the_reference(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    src = Path("/work/shared/reference/data/genai-prices/providers/deepseek.yml")
    if not src.is_file():
        pytest.skip("reference data not present")
    r = runner.invoke(app, ["prices", "import", "--from", "genai-prices", str(src), "--as-of", "2026-11-01"])
    assert r.exit_code == 0, r.output
    assert "deepseek-v4-flash" in r.stdout
    assert "time-of-day price" in r.stdout or "unchanged" in r.stderr


def test_genai_document_parsing_tiers_dates_windows_variants() -> None:
    doc = {
        "models": [
            {
                "id": "m1",
                "match": {"or": [{"equals": "m1"}, {"starts_with": "m1-"}]},
                "prices": [
                    {"prices": {"input_mtok": 0.135, "output_mtok": 0.55}},
                    {"constraint": {"start_date": "2025-06-10"}, "prices": {"input_mtok": 2, "output_mtok": 8}},
                    {
                        "constraint": {"start_time": "00:30:00Z", "end_time": "16:30:00Z"},
                        "prices": {"input_mtok": 0.27, "output_mtok": 1.1},
                    },
                ],
                "price_variants": [{"when": {"processing": "batch"}, "prices": {"input_mtok": 1, "output_mtok": 4}}],
            },
            {
                "id": "m2",
                "match": {"equals": "m2"},
                "prices": {
                    "input_mtok": {"base": 3, "tiers": [{"start": 200000, "price": 6}]},
                    "output_mtok": {"base": 15, "tiers": [{"start": 200000, "price": 22.5}]},
                    "input_audio_mtok": 10,
                },
            },
        ]
    }
    m1, m2 = pricing_tools.genai_models(doc)
    assert m1.prefixes == ["m1-"] and [p.start.isoformat() if p.start else None for p in m1.periods] == [
        None,
        "2025-06-10",
        None,
    ]
    assert m1.periods[2].window == ("00:30", "16:30")
    assert m1.variants[0].service_tier == "batch" and m1.variants[0].rates == {"input": "1", "output": "4"}
    assert m2.periods[0].tiers == [(200000, {"input": "6", "output": "22.5"})]
    assert m2.dropped == ["input_audio_mtok"]


def test_show_lists_windows_modifiers_platform_and_contract(tmp_path: Path) -> None:
    r = runner.invoke(app, ["prices", "show", "deepseek-v4-flash"])
    assert r.exit_code == 0, r.output
    flat = " ".join(r.stdout.split())
    assert "window deepseek-v4-peak-weekdays 09:00-12:00, 14:00-18:00 Asia/Shanghai mon,tue,wed,thu,fri" in flat
    contract = tmp_path / "c.toml"
    contract.write_text('[[rules]]\nid = "big-deal"\nprovider = "anthropic"\ndiscount = "15"\n')
    r = runner.invoke(app, ["--contract", str(contract), "prices", "show", "claude-opus-4-8", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)[0]
    assert {m["service_tier"] for m in doc["modifiers"]} >= {"batch", "fast"}
    assert {(k["rule"], k["service_tier"], k["discount_pct"]) for k in doc["contract"]} >= {("big-deal", "fast", "15")}
    r = runner.invoke(app, ["prices", "show", "bedrock/regional/claude-sonnet-4-5"])
    flat = " ".join(r.stdout.split())
    assert "prices calls on platform 'bedrock', route regional only" in flat
    assert "anthropic's list price for claude-sonnet-4-5 x 1.1" in flat


def test_contract_errors_name_file_rule_and_field(tmp_path: Path) -> None:
    contract = tmp_path / "c.toml"
    contract.write_text('[[rules]]\nmodels = ["claude-opus-9"]\ndiscount = "15"\n')
    r = runner.invoke(app, ["--contract", str(contract), "prices", "check"])
    assert r.exit_code == 1
    err = " ".join(r.stderr.split())
    assert "c.toml" in err and "rules[0].models" in err and "claude-opus-9" in err
    r = runner.invoke(app, ["prices", "check"], env={"AISPEND_CONTRACT": str(contract)})
    assert r.exit_code == 1
