"""aispend performance benchmark: one command, aispend against raw DuckDB (and ccusage) on the same data.

usage: python benchmarks/run.py [--calls N] [--claude N] [--reps R] [--skip-ccusage] [--keep]
                                [--workdir DIR] [--memory-limit 4GB] [--timeout S]

1. Generates N OpenAI chat.completion calls (benchmarks/gen_openai.py) into a fresh temp directory
   (under $TMPDIR or /tmp, never the repo) and reads the file once to warm the page cache.
2. R repetitions (default 3), alternating which side runs first, each command in a fresh process under
   /usr/bin/time (wall seconds, peak RSS, CPU seconds):
     ingest   `aispend --db A ingest FILE`                  vs raw_duckdb.py ingest FILE DB (read_json -> CTAS)
     report   `aispend --db A analyze --json` (store only)  vs raw_duckdb.py report DB (price join + GROUP BY)
     e2e      `aispend --db B analyze FILE --json`          vs raw_duckdb.py e2e FILE DB
3. Unless --skip-ccusage (or npm is missing): a Claude Code tree of --claude records
   (benchmarks/gen_claude.py), `ccusage daily --json --offline` 20.0.24 (npm-installed into the temp dir)
   against aispend ingest + a daily report in one process (benchmarks/aispend_daily.py), plus raw DuckDB.
4. Prints every run, then the medians, ratios and the targets of reference/performance.md §6 with PASS/FAIL.

Both sides get the same DuckDB settings: memory_limit (aispend's default, or --memory-limit via
$AISPEND_MEMORY_LIMIT), preserve_insertion_order=false, a temp directory beside the DB file in the work dir.
finops/ and pricing/ are copied into the work dir at the start and that copy is measured (--no-snapshot: the
live tree), so edits made during a run cannot mix versions. --finops-src DIR measures DIR instead (a patched copy).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PY = sys.executable
CCUSAGE_VERSION = "20.0.24"
TIME = "/usr/bin/time"
# a run slower than this is not repeated (it is already far off every target)
REPEAT_LIMIT_S = 120.0
# versions and a digest of the finops sources measured (there is no other version mark while it is edited)
PROBE = """
import hashlib, pathlib, duckdb, finops, finops.db as d
root = pathlib.Path(finops.__file__).parent
h = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.suffix in (".py", ".sql")))
print(duckdb.__version__, root, d.default_memory_limit(), finops.__version__, h.hexdigest()[:12])
"""


@dataclass
class Run:
    wall: float
    rss_mb: float
    cpu: float
    rc: int
    out: str


@dataclass
class Side:
    key: str  # aispend | raw | ccusage
    label: str
    cmd: list[str]
    prep: Callable[[], None] | None = None
    runs: list[Run] = field(default_factory=list)


@dataclass
class Bench:
    """One measurement: the same work done by aispend and by one or more baselines."""

    name: str
    sides: list[Side]

    def __getitem__(self, key: str) -> list[Run]:
        return next(s.runs for s in self.sides if s.key == key)


def aispend_cmd() -> list[str]:
    exe = Path(PY).with_name("aispend")
    return [str(exe)] if exe.exists() else [PY, "-m", "finops"]


def measure(cmd: list[str], env: dict[str, str], stdout: Path, timeout: float) -> Run:
    """Run cmd in a fresh process: wall seconds, peak RSS (MB), user+sys CPU seconds, exit code, stdout."""
    tfile = stdout.with_suffix(".time")
    if os.path.exists(TIME):
        full = [TIME, "-f", "%e %M %U %S", "-o", str(tfile), *cmd]
    else:  # no GNU time: a small Python parent reads RUSAGE_CHILDREN of this one child
        code = (
            "import resource,subprocess,sys,time;t=time.perf_counter();rc=subprocess.call(sys.argv[2:]);"
            "w=time.perf_counter()-t;r=resource.getrusage(resource.RUSAGE_CHILDREN);"
            "open(sys.argv[1],'w').write(f'{w:.2f} {r.ru_maxrss} {r.ru_utime:.2f} {r.ru_stime:.2f}\\n');sys.exit(rc)"
        )
        full = [PY, "-c", code, str(tfile), *cmd]
    t0 = time.perf_counter()
    with open(stdout, "wb") as out, open(stdout.with_suffix(".err"), "wb") as err:
        try:
            rc = subprocess.run(full, stdout=out, stderr=err, env=env, timeout=timeout, check=False).returncode
        except subprocess.TimeoutExpired:
            return Run(time.perf_counter() - t0, 0.0, 0.0, -9, "timeout")
    fields = tfile.read_text().strip().splitlines()[-1].split()
    wall, rss_kb, user, sys_ = float(fields[0]), float(fields[1]), float(fields[2]), float(fields[3])
    if rc != 0:
        tail = stdout.with_suffix(".err").read_text(errors="replace")[-600:]
        print(f"    ! exit {rc}: {' '.join(cmd)}\n{tail}", file=sys.stderr)
    return Run(wall, rss_kb / 1024, user + sys_, rc, stdout.read_text(errors="replace"))


def rm_db(path: Path) -> None:
    for p in (path, Path(str(path) + ".wal")):
        p.unlink(missing_ok=True)
    shutil.rmtree(str(path) + ".tmp", ignore_errors=True)


def warm(path: Path) -> None:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for f in files:
        with open(f, "rb") as fh:
            while fh.read(1 << 24):
                pass


def med(runs: list[Run], attr: str) -> float:
    ok = [getattr(r, attr) for r in runs if r.rc == 0]
    return statistics.median(ok) if ok else float("nan")


def show_run(label: str, rep: int, r: Run) -> None:
    status = "" if r.rc == 0 else f"  rc={r.rc}"
    print(f"  {label:<34} rep {rep}: {r.wall:8.2f} s  cpu {r.cpu:7.2f} s  peak {r.rss_mb:7.0f} MB{status}", flush=True)


def run_benches(benches: list[Bench], reps: int, env: dict[str, str], work: Path, timeout: float) -> None:
    """Each repetition runs every bench; the order of the sides rotates from one repetition to the next."""
    for rep in range(1, reps + 1):
        for b in benches:
            k = (rep - 1) % len(b.sides)
            for side in b.sides[k:] + b.sides[:k]:
                if side.runs and (side.runs[0].wall > REPEAT_LIMIT_S or side.runs[0].rc != 0):
                    continue
                if side.prep:
                    side.prep()
                r = measure(side.cmd, env, work / f"{b.name}.{side.key}.{rep}.out", timeout)
                side.runs.append(r)
                show_run(side.label, rep, r)


def last_ok(runs: list[Run]) -> dict[str, Any]:
    """The JSON document printed by the last successful run."""
    return last_json(next((r for r in reversed(runs) if r.rc == 0), None))


def last_json(r: Run | None) -> dict[str, Any]:
    if r is None:
        return {}
    for line in reversed(r.out.strip().splitlines()):
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if isinstance(doc, dict):
            return doc
    try:
        doc = json.loads(r.out)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def fmt_s(x: float) -> str:
    return "  -  " if x != x else f"{x:.2f}"


def fmt_rate(n: int, s: float) -> str:
    return "-" if not s or s != s else f"{n / s / 1000:,.0f}k/s"


def table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for j, r in enumerate(rows):
        print("  " + "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)))
        if j == 0:
            print("  " + "  ".join("-" * w for w in widths))


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("PASS" if ok else "FAIL")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=1_000_000, help="OpenAI calls to generate (default 1,000,000)")
    ap.add_argument("--claude", type=int, default=1_000_000, help="Claude Code records (default 1,000,000)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions per measurement (default 3; medians)")
    ap.add_argument("--skip-ccusage", action="store_true", help="skip the Claude Code / ccusage comparison")
    ap.add_argument("--skip-openai", action="store_true", help="skip the OpenAI ingest/report comparison")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (data, stores, outputs)")
    ap.add_argument("--workdir", type=Path, help="work directory (default: a new one under $TMPDIR or /tmp)")
    ap.add_argument("--memory-limit", help="DuckDB memory_limit for both sides (default: aispend's default)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds before one command is killed")
    ap.add_argument("--finops-src", type=Path, help="import finops from this directory (a patched copy)")
    ap.add_argument(
        "--no-snapshot", action="store_true", help="run the live finops/ (default: a copy taken at the start)"
    )
    a = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))  # children are killed too

    base_tmp = os.environ.get("TMPDIR") or "/tmp"
    work = a.workdir or Path(tempfile.mkdtemp(prefix="aispend-bench-", dir=base_tmp))
    work.mkdir(parents=True, exist_ok=True)
    work, cwd0 = work.resolve(), os.getcwd()
    os.chdir(work)  # nothing lands in the caller's directory, and no finops/ there shadows the one measured
    summary: list[list[str]] = [HEADER]
    try:
        fails = run_all(a, work, summary)
    finally:
        print(f"\nload average at end: {os.getloadavg()[0]:.2f}")
        os.chdir(cwd0)
        if not a.keep and not a.workdir:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")
    print(
        "\nSummary: medians of fresh-process wall seconds (s) and user+sys CPU seconds (cpu s: aispend / base);"
        "\nbase = raw DuckDB, or ccusage for Claude Code; ratio = base / aispend (1.0 = as fast as the baseline,"
        "\n0.5 = twice as slow); PASS/FAIL judge the wall ratio; peak MB = peak RSS, aispend / base"
    )
    table(summary)
    return 1 if fails else 0


def run_all(a: argparse.Namespace, work: Path, summary: list[list[str]]) -> int:
    """Environment, finops snapshot, header, then the two parts; returns the number of failed checks."""
    env = dict(os.environ)
    env.pop("AISPEND_DB", None)
    env.pop("AISPEND_PRICING_DIR", None)
    if a.memory_limit:
        env["AISPEND_MEMORY_LIMIT"] = a.memory_limit
    src = a.finops_src.resolve() if a.finops_src else None
    if src is None and not a.no_snapshot:
        # one run measures one version of the code, even while finops/ is being edited
        live = Path(subprocess.run([PY, "-c", "import finops; print(finops.__file__)"], env=env, capture_output=True,
                                   text=True, check=True).stdout.strip()).parent.parent  # fmt: skip
        src = work / "src"
        shutil.rmtree(src, ignore_errors=True)
        for part in ("finops", "pricing"):
            if (live / part).is_dir():
                shutil.copytree(live / part, src / part, ignore=shutil.ignore_patterns("__pycache__"))
        # compiled as `pip install` compiles an installed package: with PYTHONDONTWRITEBYTECODE set (as on the
        # project's machines) every command would otherwise compile finops from source (about 0.1 s each)
        subprocess.run([PY, "-m", "compileall", "-q", str(src / "finops")], env=env, check=True)
    if src is not None:
        env["PYTHONPATH"] = str(src) + os.pathsep + env.get("PYTHONPATH", "")
    probe = subprocess.run([PY, "-c", PROBE], env=env, capture_output=True, text=True, check=True).stdout.split()
    mem_limit = env.get("AISPEND_MEMORY_LIMIT") or probe[2]
    print(f"aispend benchmark  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GiB "
        f"RAM, {platform.platform()}, Python {platform.python_version()}, duckdb {probe[0]}"
    )
    print(f"finops {probe[3]} at {probe[1]} (sources sha256 {probe[4]})   memory_limit {mem_limit}   work dir {work}")
    print(f"load average at start: {os.getloadavg()[0]:.2f} (other processes on the machine slow every number)")
    fails = 0
    if not a.skip_openai:
        fails += openai_part(a, work, env, summary)
    if not a.skip_ccusage:
        fails += claude_part(a, work, env, summary)
    return fails


HEADER = ["measurement", "aispend s", "base s", "ratio", "cpu s", "cpu ratio", "calls/s", "peak MB", "target", ""]


def compare(
    label: str, n: int, ours: list[Run], base: list[Run], need: float | None, target: str, rate: bool = True
) -> tuple[list[str], bool | None]:
    """A summary row: medians of wall and CPU seconds, ratios (base / aispend), peak RSS, verdict."""
    ours_s, base_s = med(ours, "wall"), med(base, "wall")
    ours_c, base_c = med(ours, "cpu"), med(base, "cpu")
    ratio = base_s / ours_s if ours_s == ours_s and base_s == base_s else float("nan")
    cpu_ratio = base_c / ours_c if ours_c == ours_c and base_c == base_c else float("nan")
    ok = None if need is None else (ratio >= need if ratio == ratio else False)
    failed = sum(r.rc != 0 for r in ours + base)
    if failed:
        label += f" ({failed} run(s) FAILED)"
        ok = False
    row = [
        label,
        fmt_s(ours_s),
        fmt_s(base_s),
        f"{ratio:.2f}",
        f"{ours_c:.1f} / {base_c:.1f}",
        f"{cpu_ratio:.2f}",
        fmt_rate(n, ours_s) if rate else "-",
        f"{med(ours, 'rss_mb'):.0f} / {med(base, 'rss_mb'):.0f}",
        target,
        verdict(ok),
    ]
    return row, ok


def openai_part(a: argparse.Namespace, work: Path, env: dict[str, str], summary: list[list[str]]) -> int:
    n = a.calls
    data = work / "openai.jsonl"
    print(f"\n== OpenAI chat.completion, {n:,} calls")
    t0 = time.perf_counter()
    subprocess.run([PY, str(HERE / "gen_openai.py"), str(n), str(data)], env=env, check=True)
    warm(data)
    print(f"  generated and read once in {time.perf_counter() - t0:.1f} s ({data.stat().st_size / 1e6:,.0f} MB)")
    a_db, a2_db, r_db, r2_db = (work / f"{x}.duckdb" for x in ("aispend", "aispend_e2e", "raw", "raw_e2e"))
    ais = aispend_cmd()
    raw = [PY, str(HERE / "raw_duckdb.py")]
    ingest = Bench(
        "ingest",
        [
            Side("aispend", "aispend ingest", [*ais, "--db", str(a_db), "ingest", str(data)], lambda: rm_db(a_db)),
            Side("raw", "raw DuckDB CTAS", [*raw, "ingest", str(data), str(r_db)], lambda: rm_db(r_db)),
        ],
    )
    report = Bench(
        "report",
        [
            Side("aispend", "aispend analyze --json (store)", [*ais, "--db", str(a_db), "analyze", "--json"]),
            Side("raw", "raw price join + GROUP BY", [*raw, "report", str(r_db)]),
        ],
    )
    e2e = Bench(
        "e2e",
        [
            Side(
                "aispend",
                "aispend analyze FILE --json",
                [*ais, "--db", str(a2_db), "analyze", str(data), "--json"],
                lambda: rm_db(a2_db),
            ),
            Side("raw", "raw CTAS + price join + GROUP BY", [*raw, "e2e", str(data), str(r2_db)], lambda: rm_db(r2_db)),
        ],
    )
    run_benches([ingest, report, e2e], a.reps, env, work, a.timeout)

    # correctness: the same calls and the same total cost on both sides
    doc, rdoc = last_ok(e2e["aispend"]), last_ok(e2e["raw"])
    t = doc.get("totals", {})
    print(
        f"  check: aispend {t.get('calls')} calls, cost {t.get('cost_usd')} USD; "
        f"raw {rdoc.get('rows')} rows, cost {rdoc.get('cost_usd')} USD"
    )
    same = t.get("cost_usd") is not None and rdoc.get("cost_usd") == t.get("cost_usd") and t.get("calls") == n
    print(f"  check: {'identical calls and cost' if same else 'MISMATCH'}")

    fails = 0 if same else 1
    rows: list[tuple[str, Bench, float, str]] = [
        ("ingest (JSONL -> store)", ingest, 0.5, ">= 0.5x raw CTAS"),
        ("report from the store", report, 0.7, ">= 0.7x raw"),
        ("ingest + analyze (end to end)", e2e, 0.5, "<= 2x raw time"),
    ]
    for label, p, need, target in rows:
        row, ok = compare(label, n, p["aispend"], p["raw"], need, target, rate=p is not report)
        fails += not ok
        summary.append(row)
    ingest_s = med(ingest["aispend"], "wall")
    ok = n / ingest_s >= 325_000 if ingest_s == ingest_s else False
    fails += not ok
    summary.append(
        [
            "ingest throughput",
            fmt_s(ingest_s),
            "",
            "",
            "",
            "",
            fmt_rate(n, ingest_s),
            "",
            ">= 325k calls/s",
            verdict(ok),
        ]
    )
    e2e_s, e2e_mb = med(e2e["aispend"], "wall"), med(e2e["aispend"], "rss_mb")
    budget = 60.0 * n / 10_000_000
    ok2: bool | None = (e2e_s < budget and e2e_mb < 2048) if n >= 10_000_000 else None
    fails += ok2 is False
    summary.append(
        [
            f"end to end budget at {n / 1e6:g}M",
            fmt_s(e2e_s),
            "",
            "",
            "",
            "",
            fmt_rate(n, e2e_s),
            f"{e2e_mb:.0f}",
            f"< {budget:.3g} s, < 2048 MB" + ("" if n >= 10_000_000 else " (10M only)"),
            verdict(ok2),
        ]
    )
    return fails


def install_ccusage(work: Path, env: dict[str, str]) -> Path | None:
    npm = shutil.which("npm")
    if not npm:
        print("  npm not found: ccusage comparison skipped")
        return None
    prefix = work / "ccusage"
    exe = prefix / "node_modules" / ".bin" / "ccusage"
    if not exe.exists():
        t0 = time.perf_counter()
        r = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), f"ccusage@{CCUSAGE_VERSION}"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if r.returncode != 0 or not exe.exists():
            print(f"  npm install ccusage@{CCUSAGE_VERSION} failed: {r.stderr.strip()[-400:]}")
            return None
        print(f"  installed ccusage@{CCUSAGE_VERSION} in {time.perf_counter() - t0:.1f} s")
    v = subprocess.run([str(exe), "--version"], env=env, capture_output=True, text=True, check=False)
    if v.returncode != 0:
        print(f"  ccusage does not run: {(v.stdout + v.stderr).strip()[-300:]}")
        return None
    return exe


def claude_part(a: argparse.Namespace, work: Path, env: dict[str, str], summary: list[list[str]]) -> int:
    n = a.claude
    print(f"\n== Claude Code tree, {n:,} assistant records")
    exe = install_ccusage(work, env)
    if exe is None:
        return 0
    tree = work / "claude"
    t0 = time.perf_counter()
    gen = subprocess.run(
        [PY, str(HERE / "gen_claude.py"), str(n), str(tree)], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    print(f"  {gen}")
    warm(tree)
    print(f"  generated and read once in {time.perf_counter() - t0:.1f} s")
    cenv = dict(env, CLAUDE_CONFIG_DIR=str(tree), TZ="UTC")
    c_db, r_db = work / "claude.duckdb", work / "claude_raw.duckdb"
    daily = Bench(
        "claude",
        [
            Side(
                "aispend",
                "aispend ingest + daily report",
                [PY, str(HERE / "aispend_daily.py"), str(tree), str(c_db)],
                lambda: rm_db(c_db),
            ),
            Side("ccusage", f"ccusage {CCUSAGE_VERSION} daily --offline", [str(exe), "daily", "--json", "--offline"]),
            Side(
                "raw",
                "raw DuckDB daily report",
                [PY, str(HERE / "raw_duckdb.py"), "claude", str(tree), str(r_db)],
                lambda: rm_db(r_db),
            ),
        ],
    )
    run_benches([daily], a.reps, cenv, work, a.timeout)
    ours, rr = last_ok(daily["aispend"]), last_ok(daily["raw"])
    cc = last_ok(daily["ccusage"]).get("totals", {})
    print(
        f"  check: aispend calls {ours.get('calls')} input {ours.get('input')} output {ours.get('output')} "
        f"cache_create {ours.get('cache_create')} cache_read {ours.get('cache_read')} cost {ours.get('cost_usd')}"
    )
    print(
        f"  check: ccusage input {cc.get('inputTokens')} output {cc.get('outputTokens')} "
        f"cache_create {cc.get('cacheCreationTokens')} cache_read {cc.get('cacheReadTokens')} "
        f"cost {cc.get('totalCost')}  (its own offline prices)"
    )
    print(f"  check: raw DuckDB {rr.get('groups')} day x model rows, cost {rr.get('cost_usd')}")
    same = all(
        ours.get(k) == cc.get(c)
        for k, c in (
            ("input", "inputTokens"),
            ("output", "outputTokens"),
            ("cache_create", "cacheCreationTokens"),
            ("cache_read", "cacheReadTokens"),
        )
    )
    print(f"  check: token totals {'identical' if same else 'DIFFER'} between aispend and ccusage")
    exp = json.loads(gen.split(":", 1)[1]) if gen.startswith("gen_claude:") else {}
    want = {"calls": "messages", "input": "input", "output": "output_final", "cache_create": "cache_create"}
    ok_gen = all(ours.get(k) == exp.get(v) for k, v in want.items()) and ours.get("cache_read") == exp.get("cache_read")
    print(
        f"  check: aispend totals {'match' if ok_gen else 'DO NOT match'} the generator's (last line of each message)"
    )
    same = same and ok_gen

    row, ok = compare(f"Claude Code {n / 1e6:g}M vs ccusage", n, daily["aispend"], daily["ccusage"], 3, ">= 3x ccusage")
    summary.append(row)
    ours_mb, base_mb = med(daily["aispend"], "rss_mb"), med(daily["ccusage"], "rss_mb")
    ok_mem = ours_mb < base_mb if ours_mb == ours_mb and base_mb == base_mb else False
    peak = f"{ours_mb:.0f} / {base_mb:.0f}"
    summary.append(
        ["Claude Code memory vs ccusage", "", "", "", "", "", "", peak, "less than ccusage", verdict(ok_mem)]
    )
    row, _ = compare(
        f"Claude Code {n / 1e6:g}M vs raw DuckDB", n, daily["aispend"], daily["raw"], None, "(information)"
    )
    summary.append(row)
    return (not ok) + (not ok_mem) + (not same)


if __name__ == "__main__":
    raise SystemExit(main())
