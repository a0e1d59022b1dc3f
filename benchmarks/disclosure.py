"""Benchmark analysis.disclosure: secondary suppression and the page scanner.

Run:  .venv/bin/python benchmarks/disclosure.py
All tables are synthetic (random counts with many small cells, as in
staff and peer-worker tables per prison).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from analysis.disclosure import protect_table, scan_page


def _table(rows: int, cols: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    counts = rng.choice([0, 1, 2, 3, 5, 8, 12, 20, 35, 60, 120], size=(rows, cols))
    return pd.DataFrame(
        [{"r": f"r{i:02d}", "c": f"c{j:02d}", "n_persons": int(counts[i, j])} for i in range(rows) for j in range(cols)]
    )


def bench_tables() -> None:
    print("protect_table (2-D, with margins), median of 5 random tables")
    for rows, cols in [(3, 2), (10, 2), (10, 5), (10, 10), (20, 10), (30, 15)]:
        times, hidden = [], []
        for seed in range(5):
            data = _table(rows, cols, seed)
            t0 = time.perf_counter()
            res = protect_table(data, row="r", col="c")
            times.append(time.perf_counter() - t0)
            hidden.append((res.n_primary, res.n_secondary))
        prim = np.median([h[0] for h in hidden])
        sec = np.median([h[1] for h in hidden])
        print(f"  {rows:>3} x {cols:<3} {np.median(times) * 1000:8.1f} ms   primary {prim:5.1f}  secondary {sec:5.1f}")


def bench_pages() -> None:
    rng = np.random.default_rng(0)
    para = "<p>In 2024, 127 peer workers were active; see <a href='_images/{}.png'>figure</a>.</p>\n"
    page = "".join(para.format(rng.bytes(32).hex()) for _ in range(10_000))
    t0 = time.perf_counter()
    found = scan_page(page, forbidden=["Jan Peeters", "D-2023-0012"])
    dt = time.perf_counter() - t0
    print(f"scan_page: {len(page) / 1e6:.1f} MB page in {dt * 1000:.0f} ms ({len(found)} findings)")


if __name__ == "__main__":
    bench_tables()
    bench_pages()
