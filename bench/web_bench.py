"""The web app under Lighthouse (`python -m bench.run --only web`), and its first-load JavaScript.

Starts the app as the browser tests do (`entrelieux serve` in development, on a SQLite database
of its own, with its Meilisearch, the development OIDC provider and the demo data, no map tiles),
then runs Lighthouse (npm `lighthouse`, pinned in bench/lighthouse/package.json, installed there
with `npm ci`) driving Debian's Chromium (`CHROME_PATH`, headless) on the search page with
results and on a listing's page, with the mobile (Lighthouse's default) and desktop presets,
`repeats` times each; the scores quoted are the medians.

The first-load JavaScript is measured on the built files (frontend/dist): every script the
search page requested during the Lighthouse runs (the entry chunk and what it loads: the map
library, its clusters), gzip-compressed here at level 9, whatever the server sends.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from core.loopback import free_port
from core.settings import PROJECT_ROOT

LIGHTHOUSE_DIR = PROJECT_ROOT / "bench" / "lighthouse"
LIGHTHOUSE = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
FRONTEND = PROJECT_ROOT / "frontend"
DIST = FRONTEND / "dist"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility")
PRESETS = ("mobile", "desktop")
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}
GOALS = {"performance": 90, "accessibility": 90, "first_load_js_kb": 200}
# Demo listings searchable once the relay has indexed them (39 loaded, some already ended).
DEMO_SEARCHABLE = 30


def prepare() -> None:
    """Lighthouse from its lock file, and the web app built (as `make run` would)."""
    if not LIGHTHOUSE.is_file():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=LIGHTHOUSE_DIR,
            check=True,
        )
    if not (DIST / "index.html").is_file():
        subprocess.run(["npm", "run", "build"], cwd=FRONTEND, check=True)
    if not Path(CHROMIUM).is_file():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: `apt-get install chromium`")


@contextmanager
def serve_app() -> Iterator[tuple[str, Path]]:
    """`entrelieux serve` in development on a database of its own; yields its URL once the demo
    listings are searchable, and the copy of the built app it serves."""
    folder = Path(tempfile.mkdtemp(prefix="entrelieux-web-bench-"))
    # A copy of the built app: a rebuild of frontend/dist during the run changes nothing.
    shutil.copytree(DIST, folder / "dist")
    port = free_port()
    environment = os.environ | {
        "ENVIRONMENT": "development",
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'web.sqlite3'}",
        "VAR_DIR": str(folder),
        "PORT": str(port),
        "LOG_LEVEL": "warning",
        "MAP_TILE_URL": "",
        "OUTBOX_POLL_SECONDS": "0.2",
        "FRONTEND_DIR": str(folder / "dist"),
    }
    for name in ("MEILI_URL", "OIDC_PROVIDERS", "PUBLIC_URL", "SMTP_HOST"):
        environment.pop(name, None)
    log = folder / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve"],
            env=environment,
            cwd=PROJECT_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, log)
        yield url, folder / "dist"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        shutil.rmtree(folder, ignore_errors=True)


def _graphql(url: str, query: str) -> dict[str, Any]:
    answer = httpx.post(f"{url}/graphql", json={"query": query}, timeout=10).json()
    if answer.get("errors"):
        raise RuntimeError(f"GraphQL errors: {answer['errors']}")
    return dict(answer["data"])


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"`entrelieux serve` exited:\n{log.read_text()[-2000:]}")
        try:
            found = _graphql(url, '{ search(input: {text: ""}) { totalHits } }')
            if found["search"]["totalHits"] >= DEMO_SEARCHABLE:
                return
        except (httpx.HTTPError, ValueError, RuntimeError, KeyError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"`entrelieux serve` was not ready:\n{log.read_text()[-2000:]}")


def pages(url: str) -> dict[str, str]:
    """The search page with results near a commune, and the first of them's page."""
    query = '{ search(input: {text: "imprimante", commune: "23096", radiusKm: 100}) ' + (
        "{ hits { listing { id } } } }"
    )
    hits = _graphql(url, query)["search"]["hits"]
    if not hits:
        raise RuntimeError("the demo search found nothing")
    listing = hits[0]["listing"]["id"]
    return {
        "search": f"{url}/?q=imprimante&commune=23096&radius=100",
        "listing": f"{url}/annonces/{listing}",
    }


def lighthouse(target: str, preset: str, out: Path) -> dict[str, Any]:
    command = [
        str(LIGHTHOUSE),
        target,
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox",
        "--output=json",
        f"--output-path={out}",
        "--quiet",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    environment = os.environ | {"CHROME_PATH": CHROMIUM}
    subprocess.run(command, env=environment, check=True, timeout=300)
    return dict(json.loads(out.read_text()))


def summarize(report: dict[str, Any]) -> dict[str, Any]:
    audits = report["audits"]
    scripts = [
        request["url"]
        for request in audits["network-requests"]["details"]["items"]
        if request.get("resourceType") == "Script"
    ]
    failing_a11y = [
        ref["id"]
        for ref in report["categories"]["accessibility"]["auditRefs"]
        if ref["weight"] > 0 and audits[ref["id"]]["score"] not in (None, 1)
    ]
    # What Lighthouse says costs the most (its opportunities and failed audits, by name).
    weak_performance = {
        ref["id"]: audits[ref["id"]].get("displayValue", "")
        for ref in report["categories"]["performance"]["auditRefs"]
        if audits[ref["id"]].get("score") is not None and audits[ref["id"]]["score"] < 0.9
    }
    return {
        "scores": {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES},
        "weak_performance_audits": weak_performance,
        "metrics": {
            short: audits[key]["numericValue"] for key, short in METRICS.items() if key in audits
        },
        "scripts": scripts,
        "failing_accessibility_audits": failing_a11y,
        "lighthouse": report.get("lighthouseVersion"),
        "user_agent": report.get("environment", {}).get("hostUserAgent"),
    }


def first_load_js(dist: Path, scripts: list[str]) -> dict[str, Any]:
    """The gzip size of the scripts a page requested, from the built files."""
    files: dict[str, dict[str, int]] = {}
    for address in scripts:
        path = urlsplit(address).path
        if not path.startswith("/assets/"):
            continue
        data = (dist / path.lstrip("/")).read_bytes()
        files[path.removeprefix("/assets/")] = {
            "bytes": len(data),
            "gzip": len(gzip.compress(data, compresslevel=9, mtime=0)),
        }
    return {
        "files": files,
        "bytes": sum(f["bytes"] for f in files.values()),
        "gzip": sum(f["gzip"] for f in files.values()),
    }


def entry_chunk(dist: Path) -> str:
    html = (dist / "index.html").read_text()
    found = re.search(r'<script type="module"[^>]*src="/assets/([^"]+)"', html)
    return found.group(1) if found else "?"


def bench_web(repeats: int = 3) -> dict[str, Any]:
    prepare()
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {}
    with serve_app() as (url, dist), tempfile.TemporaryDirectory() as scratch:
        targets = pages(url)
        # A first visit warms the server (Python imports, SQLite and Meilisearch caches).
        for target in targets.values():
            httpx.get(target, timeout=10)
        for repeat in range(repeats):
            for page, target in targets.items():
                for preset in PRESETS:
                    out = Path(scratch) / f"{page}-{preset}-{repeat}.json"
                    summary = summarize(lighthouse(target, preset, out))
                    runs.setdefault(page, {}).setdefault(preset, []).append(summary)
                    print(
                        f"  web run {repeat + 1} {page:7} {preset:7} "
                        f"performance {summary['scores']['performance']:3} "
                        f"accessibility {summary['scores']['accessibility']:3} "
                        f"LCP {summary['metrics'].get('LCP', 0):6.0f} ms",
                        flush=True,
                    )
        search_scripts = sorted({u for s in runs["search"]["mobile"] for u in s["scripts"]})
        js = first_load_js(dist, search_scripts)
        entry = entry_chunk(dist)
    medians: dict[str, dict[str, Any]] = {}
    for page, presets in runs.items():
        for preset, summaries in presets.items():
            medians.setdefault(page, {})[preset] = {
                "scores": {
                    c: statistics.median(s["scores"][c] for s in summaries) for c in CATEGORIES
                },
                "metrics": {
                    m: round(statistics.median(s["metrics"][m] for s in summaries), 3)
                    for m in summaries[0]["metrics"]
                },
                "failing_accessibility_audits": sorted(
                    {a for s in summaries for a in s["failing_accessibility_audits"]}
                ),
                "weak_performance_audits": summaries[-1]["weak_performance_audits"],
            }
    first = runs["search"]["mobile"][0]
    return {
        "lighthouse": first["lighthouse"],
        "user_agent": first["user_agent"],
        "repeats": repeats,
        "pages": {
            name: urlsplit(target).path + "?" + urlsplit(target).query
            for name, target in targets.items()
        },
        "runs": runs,
        "median": medians,
        "entry_chunk": entry,
        "first_load_js": js,
    }


def render(results: dict[str, Any]) -> str:
    """The web part of the Markdown report (empty when it did not run)."""
    web = results.get("web")
    if not web:
        return ""
    if "skipped" in web:
        return f"\n## Web app (Lighthouse)\n\nSkipped: {web['skipped']}\n"
    lines = [
        "",
        "## Web app (Lighthouse)",
        "",
        f"Lighthouse {web['lighthouse']}, {web['user_agent']}; median of {web['repeats']} runs.",
        "",
        "| page | preset | performance | accessibility | FCP | LCP | TBT | CLS |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for page, presets in web["median"].items():
        for preset, m in presets.items():
            metrics = m["metrics"]
            lines.append(
                f"| {page} | {preset} | **{m['scores']['performance']:.0f}** | "
                f"**{m['scores']['accessibility']:.0f}** | {metrics.get('FCP', 0):.0f} ms | "
                f"{metrics.get('LCP', 0):.0f} ms | {metrics.get('TBT', 0):.0f} ms | "
                f"{metrics.get('CLS', 0):.3f} |"
            )
    js = web["first_load_js"]
    lines += [
        "",
        f"First-load JavaScript of the search page (1 KB = 1,000 bytes): "
        f"**{js['gzip'] / 1000:.1f} KB gzip** "
        f"({js['bytes'] / 1000:.1f} KB raw; goal ≤ {GOALS['first_load_js_kb']} KB), entry chunk "
        f"`{web['entry_chunk']}`:",
        "",
        "| file | raw | gzip -9 |",
        "|---|---:|---:|",
    ]
    for name, sizes in sorted(js["files"].items(), key=lambda item: -item[1]["gzip"]):
        lines.append(
            f"| `{name}` | {sizes['bytes'] / 1000:.1f} KB | {sizes['gzip'] / 1000:.1f} KB |"
        )
    failing = {
        f"{page}/{preset}": m["failing_accessibility_audits"]
        for page, presets in web["median"].items()
        for preset, m in presets.items()
        if m["failing_accessibility_audits"]
    }
    if failing:
        lines += ["", f"Accessibility audits not passed: {json.dumps(failing)}"]
    lines += ["", "Performance audits under 0.9 (last run):", ""]
    for page, presets in web["median"].items():
        for preset, m in presets.items():
            weak = "; ".join(
                f"{k} ({v})" if v else k for k, v in m["weak_performance_audits"].items()
            )
            lines.append(f"- {page}/{preset}: {weak or 'none'}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    figures = {"web": bench_web(int(sys.argv[1]) if len(sys.argv) > 1 else 3)}
    print(json.dumps(figures, indent=2))
    print(render(figures))
