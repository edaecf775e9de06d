from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_logs"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test touches the user's store or pricing overrides."""
    monkeypatch.setenv("AISPEND_DB", str(tmp_path / "store.duckdb"))
    monkeypatch.delenv("AISPEND_PRICING_DIR", raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / "MANIFEST.json").read_text())
    return data


@pytest.fixture(autouse=True, scope="session")
def _sample_mtimes() -> None:
    """A git checkout loses mtimes; three sample files are dated by theirs (bare bodies without time)."""
    import os
    from datetime import datetime

    data = json.loads((SAMPLES / "MANIFEST.json").read_text())
    for entry in data["files"]:
        if entry.get("mtime"):
            t = datetime.fromisoformat(entry["mtime"].replace("Z", "+00:00")).timestamp()
            os.utime(SAMPLES / entry["path"], (t, t))
