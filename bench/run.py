"""Runs every benchmark in order and prints each figure against its target, then a summary table.

The benchmarks share one database, `openimis_bench`, re-created at the start: the district page is measured
among the 10,000 villages the import benchmark wrote. A missed target is reported, not an error; the exit
status is non-zero only when a benchmark crashes (or cannot check that it measured what it claims to).
"""

import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: make `bench` importable

from bench import (
    bench_batch,
    bench_cards,
    bench_claims,
    bench_dashboard,
    bench_district_page,
    bench_enquiry,
    bench_insurees,
    bench_location_import,
    bench_medical_import,
    bench_policies,
    bench_product_page,
    bench_reports,
    common,
)

BENCHMARKS: list[tuple[str, Callable[[], list[common.Figure]]]] = [
    ("location import", bench_location_import.run),
    ("district page", bench_district_page.run),
    ("medical import", bench_medical_import.run),
    ("product page", bench_product_page.run),
    ("membership cards", bench_cards.run),
    ("insurees at national scale", bench_insurees.run),
    ("enquiry", bench_enquiry.run),
    ("policies at national scale", bench_policies.run),
    ("claims at national scale", bench_claims.run),
    ("batch valuation and capitation", bench_batch.run),
    ("standard reports", bench_reports.run),
    ("dashboards", bench_dashboard.run),
]


def _table(rows: list[tuple[str, str, str, str]]) -> str:
    header = ("figure", "measured", "target", "result")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(names: list[str]) -> int:
    """Runs every benchmark, or those whose title contains one of `names` (e.g. `bench/run.py policies`)."""
    chosen = [(t, r) for t, r in BENCHMARKS if not names or any(n.lower() in t.lower() for n in names)]
    if not chosen:
        print(f"no benchmark title contains {' or '.join(names)}; titles: {', '.join(t for t, _r in BENCHMARKS)}")
        return 2
    common.prepare()
    summary: list[tuple[str, str, str, str]] = []
    crashed = False
    for title, run in chosen:
        print(f"\n== {title}")
        started = time.perf_counter()
        try:
            figures = run()
        except Exception:
            traceback.print_exc()
            summary.append((title, "-", "-", "CRASHED"))
            crashed = True
            continue
        for figure in figures:
            print(figure.line())
            summary.append((figure.name, figure.measured, figure.goal, figure.verdict))
        print(f"({title}: {time.perf_counter() - started:.1f} s with its set-up)")
    print("\n" + _table(summary))
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
