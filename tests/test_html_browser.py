"""The HTML report in a real headless browser (Debian chromium), driven over the DevTools protocol.

The protocol runs over two pipes (--remote-debugging-pipe: commands on fd 3, replies on fd 4, NUL-separated
JSON), so the test needs no websocket library and opens no port. Checked: the page loads with no console
error, no exception and no network request beyond the file itself (its CSP forbids them), every chart is an
SVG with a real size and drawn marks, the A4 print layout renders to PDF, and a screenshot is taken.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from finops.cli import app

from .conftest import SAMPLES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (.ci/run installs it: apt-get install -y chromium)"
)
TIMEOUT = 30.0


class Browser:
    """A headless chromium and a minimal DevTools client over --remote-debugging-pipe."""

    def __init__(self, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire() -> None:  # in the child: the pipes become fds 3 (read) and 4 (write), inheritable
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)  # copies first: either may already sit on 3 or 4
            os.dup2(a, 3)
            os.dup2(b, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.proc = subprocess.Popen(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire,
            # subprocess would close fds >= 3 after preexec_fn; Python's own fds are close-on-exec anyway
            close_fds=False,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        data: dict[str, Any] = json.loads(msg)
        return data

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        for e in self.events:
            if e.get("method") == method:
                return e
        while True:
            e = self._read(deadline)
            self.events.append(e)
            if e.get("method") == method:
                return e

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


MEASURE = """JSON.stringify({
  svgs: [...document.querySelectorAll('svg')].map(s => {
    const r = s.getBoundingClientRect();
    return {label: s.getAttribute('aria-label'), w: r.width, h: r.height,
            marks: s.querySelectorAll('rect,path,circle').length};
  }),
  title: document.title,
  h1: document.querySelector('h1').textContent,
  kpis: [...document.querySelectorAll('.kpi .value')].map(e => e.textContent),
  tables: document.querySelectorAll('table').length,
  width: document.documentElement.scrollWidth, viewport: window.innerWidth
})"""


def test_report_renders_in_a_real_browser(tmp_path: Path) -> None:
    runner = CliRunner()
    db = tmp_path / "s.duckdb"
    page = tmp_path / "report.html"
    res = runner.invoke(
        app,
        ["--db", str(db), "report", "monthly", str(SAMPLES), "--as-of", "2025-09-01", "-o", str(page)],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    browser = Browser(tmp_path / "profile")
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(f"{domain}.enable", session=session)
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1100, "height": 1400, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        browser.send("Page.navigate", {"url": page.as_uri()}, session=session)
        browser.wait_for("Page.loadEventFired")
        found = json.loads(
            browser.send("Runtime.evaluate", {"expression": MEASURE, "returnByValue": True}, session=session)["result"][
                "value"
            ]
        )
        shot = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=session)
        pdf = browser.send("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}, session=session)
        events = list(browser.events)
    finally:
        browser.close()

    errors = [
        e["params"]
        for e in events
        if e.get("method") in ("Runtime.exceptionThrown", "Log.entryAdded", "Runtime.consoleAPICalled")
        and (
            e["method"] == "Runtime.exceptionThrown"
            or e["params"].get("entry", e["params"]).get("level") in ("error", "warning")
        )
    ]
    assert errors == [], errors
    requests = [e["params"]["request"]["url"] for e in events if e.get("method") == "Network.requestWillBeSent"]
    assert requests == [page.as_uri()], requests  # nothing fetched but the file itself

    charts = {s["label"]: s for s in found["svgs"]}
    assert set(charts) >= {
        "Daily spend stacked by model",
        "Monthly spend with forecast",
        "Cost curve of the savings scenarios",
    }
    for label, s in charts.items():
        assert s["w"] > 300 and s["h"] > 150 and s["marks"] >= 5, (label, s)
    assert found["h1"] == "AI spend report — August 2025" and found["tables"] >= 6
    assert found["kpis"][0].startswith("≥ $") and found["width"] <= found["viewport"]  # no sideways scrolling

    import base64

    png = base64.b64decode(shot["data"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000
    (tmp_path / "report.png").write_bytes(png)
    assert base64.b64decode(pdf["data"])[:5] == b"%PDF-"
