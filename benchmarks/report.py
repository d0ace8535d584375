"""The benchmark report: every scale figure at three sizes, plotted, written to docs/benchmarks.md.

Runs ``bench_store.py`` at each size (195 countries x 1, 5 and 20 years: about 0.05, 0.25 and 1
million triples) and ``bench_api.py`` (HTTP throughput of this server, ``oxigraph serve`` and
rdflib-endpoint on one query mix) at the middle size, then writes the section between the markers
``<!-- report:begin -->`` and ``<!-- report:end -->`` of the output page (appended if it has
none): the machine it ran on, a table per measure with the goals, each named query's p50 and its
growth from one size to the next against the growth of the data, and matplotlib figures (data size
against start-up, restart, p50 per named query, memory; throughput per server) next to the page.
Ratios are taken against baselines of the same run; nothing here is a test's assertion.

    python benchmarks/report.py                       # 195 x 1, 5, 20 (an hour or more)
    python benchmarks/report.py --sizes 195x1,195x5   # smaller
    python benchmarks/report.py --quick               # tiny sizes (what the tests run)

``--json-dir DIR`` keeps each size's figures there; ``--reuse`` takes a size's figures from there
instead of measuring it again (a long run can be resumed, or re-plotted).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph

import bench_api
import bench_store
from mnr_graph import __version__

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- report:begin -->", "<!-- report:end -->"
GOALS = {
    "startup": "at most 2 s at 0.25M triples; at most 1.5x `oxigraph load` at 1M",
    "restart": "under 1 s whatever the size; queries answer at once",
    "named": "p50 at most 300 ms at 1M triples, at most 4.5x its p50 at a quarter of the data",
    "memory": "at most 1.5 GB PSS (server and workers) at 1M triples",
    "writes": "at least 10/s sustained, cost independent of the number stored; disk at most 10x "
    "the input",
    "throughput": "ahead of `oxigraph serve` (>= 0.5x) and >= 25x rdflib-endpoint",
}


def machine() -> str:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{memory_kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        memory = "RAM unknown"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, {memory}; "
        f"load average {load} when the report was written; Python {platform.python_version()}, "
        f"pyoxigraph {pyoxigraph.__version__}, mnr-graph {__version__}"
    )


def size_label(f: dict[str, Any]) -> str:
    """A size's label: countries x years and the number of triples."""
    return f"{f['countries']} x {f['years']} ({f['triples']:,} triples)"


def _ms(value: float) -> str:
    return f"{value:,.1f}"


def tables(
    sizes: list[dict[str, Any]], api: dict[str, Any] | None, figures: list[str], command: str
) -> str:
    """The report's Markdown section (without the markers)."""
    lines = [
        f"Measured {dt.date.today().isoformat()} by `{command}` on: {machine()}.",
        "",
        "### Start-up, restart, memory",
        "",
        f"Goals: start-up {GOALS['startup']}; restart {GOALS['restart']}; memory "
        f"{GOALS['memory']}.",
        "",
        "| data | start-up in memory, s | store ready, s | `oxigraph load`, s | ratio | "
        "restart of a persisted store, s | store ready, s | first answer after it, ms | "
        "PSS after the queries, MB | PSS at most while they ran, MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in sizes:
        lines.append(
            f"| {size_label(f)} | {f['startup_s']:.2f} | {f['startup_store_ready_s']:.2f} | "
            f"{f['oxigraph_load_s']:.2f} | {f['startup_s'] / f['oxigraph_load_s']:.2f}x | "
            f"{f['restart_s']:.2f} | {f['restart_store_ready_s']:.2f} | "
            f"{f['restart_first_query_s'] * 1000:.0f} | {f['pss_mb']:.0f} | "
            f"{f.get('pss_peak_mb', float('nan')):.0f} |"
        )
    lines += [
        "",
        "*Start-up* runs from the command's launch to the first answer of `/health`; *store "
        "ready* is the part of it until the store is built (the web modules import beside it). "
        "*Restart* is `serve --store DIR --data FILE` started a second time with the same file.",
        "",
        "### Named queries",
        "",
        f"Goal: {GOALS['named']}. The p50 in ms of each named query with its documented example "
        "values, over HTTP; *growth* is its p50 at a size over its p50 at the size before, next "
        "to the growth of the data.",
        "",
    ]
    head = "| query | " + " | ".join(size_label(f) for f in sizes) + " |"
    growth_heads = [
        f"growth {sizes[i]['triples'] / sizes[i - 1]['triples']:.1f}x data"
        for i in range(1, len(sizes))
    ]
    lines.append(head[:-1] + "".join(f"| {g} " for g in growth_heads) + "|")
    lines.append("|---" * (1 + len(sizes) + len(growth_heads)) + "|")
    for name in sizes[0]["named_p50_ms"]:
        values = [f["named_p50_ms"][name] for f in sizes]
        growth = [f"{values[i] / max(values[i - 1], 1e-9):.2f}x" for i in range(1, len(values))]
        lines.append("| " + " | ".join([f"`{name}`", *map(_ms, values), *growth]) + " |")
    lines += ["", "### Writes", "", f"Goal: {GOALS['writes']}.", ""]
    lines.append(
        "| data | submissions through the API | per s | first half, per s | last half, per s "
        "| posted, MB | disk growth, MB | disk / input | PSS after, MB | restart after, s |"
    )
    lines.append("|---" * 10 + "|")
    for f in sizes:
        w = f.get("writes")
        if w:
            lines.append(
                f"| {size_label(f)} | {w['submissions']} | {w['rate_per_s']:.1f} | "
                f"{w['rate_first_half']:.1f} | {w['rate_last_half']:.1f} | "
                f"{w['posted_mb']:.2f} | {w['disk_growth_mb']:.1f} | {w['disk_ratio']:.1f}x | "
                f"{w['pss_mb']:.0f} | {w['restart_after_s']:.2f} |"
            )
    if api is not None:
        lines += [
            "",
            "### HTTP throughput",
            "",
            f"Goal: {GOALS['throughput']}. One query mix, the same client, "
            f"{api['countries']} countries x {api['years']} years (`bench_api.py`).",
            "",
            "| server | requests/s | p50, ms | p99, ms | errors | start-up, s |",
            "|---|---|---|---|---|---|",
        ]
        for name, s in api["servers"].items():
            lines.append(
                f"| {name} | {s['rps']:.1f} | {s['p50_ms']:.1f} | {s['p99_ms']:.1f} | "
                f"{s['errors']} | {s['startup_s']:.2f} |"
            )
    lines += [""]
    lines += [f"![{Path(f).stem}]({f})" for f in figures]
    return "\n".join(lines) + "\n"


def plot(
    sizes: list[dict[str, Any]], api: dict[str, Any] | None, out_dir: Path, page_dir: Path
) -> list[str]:
    """The figures as PNG files in ``out_dir``; their paths relative to the page's folder."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no figures (pip install -e '.[benchmarks]')")
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    triples = [f["triples"] for f in sizes]
    drawn: list[str] = []

    def save(fig: Any, name: str) -> None:
        fig.tight_layout()
        fig.savefig(out_dir / name, dpi=90)
        plt.close(fig)
        drawn.append((out_dir / name).relative_to(page_dir).as_posix())

    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(triples, [f["startup_s"] for f in sizes], "o-", label="start-up in memory")
    ax.plot(triples, [f["oxigraph_load_s"] for f in sizes], "s--", label="oxigraph load")
    ax.plot(triples, [f["restart_s"] for f in sizes], "^-", label="restart (persisted)")
    ax.set(xlabel="triples", ylabel="seconds", title="Start-up and restart")
    ax.legend()
    save(fig, "startup.png")

    fig, ax = plt.subplots(figsize=(6, 4.2))
    for name in sizes[0]["named_p50_ms"]:
        ax.plot(triples, [f["named_p50_ms"][name] for f in sizes], "o-", label=name)
    ax.set(xlabel="triples", ylabel="p50, ms", title="Named queries")
    ax.legend(fontsize="x-small")
    save(fig, "named-queries.png")

    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(triples, [f["pss_mb"] for f in sizes], "o-", label="after the named queries")
    ax.plot(
        triples,
        [f.get("pss_peak_mb", float("nan")) for f in sizes],
        "s--",
        label="at most while they ran",
    )
    ax.set(xlabel="triples", ylabel="PSS, MB", title="Memory: server and workers")
    ax.legend(fontsize="small")
    save(fig, "memory.png")

    if api is not None:
        fig, ax = plt.subplots(figsize=(6, 3.2))
        names = list(api["servers"])
        ax.barh(names, [api["servers"][n]["rps"] for n in names])
        ax.set(xlabel="requests/s", title="HTTP throughput, one query mix")
        save(fig, "throughput.png")
    return drawn


def write_section(page: Path, section: str) -> None:
    """Replace the report's section of the page (or append it)."""
    text = page.read_text(encoding="utf-8") if page.exists() else "# Benchmarks\n"
    block = f"{BEGIN}\n{section}{END}"
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n## Report\n\n" + block + "\n"
    page.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every size (and the API), draw the figures and write the report section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (3 x 1, 2, 4)")
    parser.add_argument("--sizes", default="195x1,195x5,195x20", help="COUNTRIESxYEARS,...")
    parser.add_argument("--submissions", type=int, default=300, help="posted at each size")
    parser.add_argument("--repeats", type=int, default=9, help="requests per named query")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--json-dir", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="reuse figures in --json-dir")
    parser.add_argument("--no-api", action="store_true", help="skip the HTTP throughput run")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.submissions, args.repeats = "3x1,3x2,3x4", 3, 2
    pairs = [tuple(int(n) for n in s.split("x")) for s in args.sizes.split(",")]
    json_dir = args.json_dir or Path(tempfile.mkdtemp(prefix="bench-report-"))
    json_dir.mkdir(parents=True, exist_ok=True)
    sizes: list[dict[str, Any]] = []
    try:
        for countries, years in pairs:
            saved = json_dir / f"store-{countries}x{years}.json"
            if args.reuse and saved.exists():
                figures = json.loads(saved.read_text())
            else:
                tmp = Path(tempfile.mkdtemp(prefix="bench-store-"))
                try:
                    figures = bench_store.measure(
                        countries,
                        years,
                        repeats=args.repeats,
                        submissions=args.submissions,
                        tmp=tmp,
                    )
                finally:
                    shutil.rmtree(tmp, ignore_errors=True)
                saved.write_text(json.dumps(figures, indent=1))
            bench_store.show(figures)
            sizes.append(figures)
        api = None
        if not args.no_api:
            saved = json_dir / "api.json"
            if not (args.reuse and saved.exists()):
                middle = pairs[len(pairs) // 2]
                api_args = ["--quick"] if args.quick else ["--countries", str(middle[0])]
                api_args += [] if args.quick else ["--years", str(middle[1])]
                bench_api.main([*api_args, "--json", str(saved)])
            api = json.loads(saved.read_text())
        figures_dir = args.output.parent / "img" / "benchmarks"
        drawn = plot(sizes, api, figures_dir, args.output.parent)
        command = "python benchmarks/report.py " + " ".join(
            argv if argv is not None else sys.argv[1:]
        )
        write_section(args.output, tables(sizes, api, drawn, command.strip()))
        print(
            f"wrote {args.output}"
            + (f" and {len(drawn)} figures in {figures_dir}" if drawn else "")
        )
    finally:
        if args.json_dir is None:
            shutil.rmtree(json_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
