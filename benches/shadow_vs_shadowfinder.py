#!/usr/bin/env python3
"""The shadow locus: geoproof against Bellingcat's ShadowFinder, in one run.

geoproof evaluates NREL SPA at every cell of a 0.1° world grid (6.48 million cells,
-90..90°) and writes the locus as GeoJSON; ShadowFinder evaluates SunCalc at its default
0.5° grid (-60..85°, 208,800 cells). The two run alternately, several times, because this
shared machine's speed drifts from minute to minute; the script reports each time, the
medians and their ratio, and where both have cells, how far their loci agree.

Not part of CI. Needs a release build (`cargo build --release`) and
`pip install shadowfinder` (cartopy, matplotlib, pandas, suncalc).

    python3 benches/shadow_vs_shadowfinder.py [--runs 5]
"""

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
from matplotlib.path import Path
from shadowfinder import ShadowFinder

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "geoproof")

# The demo's arrest site at 10:00 UTC on 2024-03-23: a 10 m pole with a 27.5 m shadow
# (about the sun's own ratio there and then), 20 % tolerance as ShadowFinder shows.
WHEN = dt.datetime(2024, 3, 23, 10, 0, 0)
HEIGHT, SHADOW = 10.0, 27.5
TOLERANCE = 0.2


def run_geoproof(out, grid, binary=BINARY):
    start = time.perf_counter()
    subprocess.run(
        [
            binary, "shadow", "--ratio", str(SHADOW / HEIGHT), "--tolerance", str(TOLERANCE),
            "--time", WHEN.strftime("%Y-%m-%dT%H:%M:%SZ"), "--grid-deg", str(grid),
            "--geojson", out,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def run_shadowfinder(finder):
    start = time.perf_counter()
    finder.find_shadows()
    return time.perf_counter() - start


def polygons(path):
    with open(path) as f:
        doc = json.load(f)
    out = []
    for poly in doc["features"][0]["geometry"]["coordinates"]:
        out.append([Path(np.array(ring)) for ring in poly])
    return out


def inside(polys, x, y):
    for rings in polys:
        if rings[0].contains_point((x, y)) and not any(h.contains_point((x, y)) for h in rings[1:]):
            return True
    return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--binary", default=BINARY, help="a release build of geoproof")
    args = parser.parse_args()
    finder = ShadowFinder()
    finder.set_details(WHEN, HEIGHT, SHADOW, time_format="utc")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "locus.geojson")
        ours, theirs = [], []
        for i in range(args.runs):
            ours.append(run_geoproof(out, 0.1, args.binary))
            theirs.append(run_shadowfinder(finder))
            print(f"run {i + 1}: geoproof 0.1° {ours[-1] * 1000:.0f} ms, "
                  f"ShadowFinder 0.5° {theirs[-1] * 1000:.0f} ms")
        m_ours, m_theirs = statistics.median(ours), statistics.median(theirs)
        print(f"median: geoproof {m_ours * 1000:.0f} ms (6.48 M cells), "
              f"ShadowFinder {m_theirs * 1000:.0f} ms (0.21 M cells); "
              f"ratio geoproof/ShadowFinder {m_ours / m_theirs:.2f}, "
              f"per cell {(m_ours / 6.48e6) / (m_theirs / 208800):.3f}")

        # Agreement on ShadowFinder's own 0.5° cells.
        run_geoproof(out, 0.5, args.binary)
        polys = polygons(out)
        likelihood = np.asarray(finder.location_likelihoods).reshape(finder.lons.shape)
        # ShadowFinder's likelihood is signed, (shadow − L) / L: its band is |·| ≤ 0.2.
        theirs_in = np.abs(np.nan_to_num(likelihood, nan=np.inf)) <= TOLERANCE
        both = either = only_ours = only_theirs = 0
        for (r, c), lon in np.ndenumerate(finder.lons):
            lat = finder.lats[r, c]
            a = inside(polys, lon + 1e-6, lat + 1e-6)
            b = bool(theirs_in[r, c])
            both += a and b
            either += a or b
            only_ours += a and not b
            only_theirs += b and not a
        print(f"agreement on 0.5° cells: {both} in both, {only_ours} only geoproof, "
              f"{only_theirs} only ShadowFinder; Jaccard {both / max(either, 1):.3f}")


if __name__ == "__main__":
    main()
