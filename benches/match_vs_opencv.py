#!/usr/bin/env python3
"""geoproof's correspondence pipeline against OpenCV's ORB pipeline, in one run so the
ratio holds on a noisy machine. Not part of CI.

    pip install opencv-python-headless numpy
    cargo build --release
    python3 benches/match_vs_opencv.py

Pairs: each public-domain test photo resized to 1024x768 (A) and warped by a known
homography with a brightness change and noise (B). Both pipelines get the same pairs,
2000 features, a 0.8 ratio test and a 3 px RANSAC threshold. Times exclude decoding
(geoproof reports its own `elapsed_ms`); accuracy is the worst distance, over a grid on
A, between the recovered and the true mapping.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHOTOS = ["coffee-no-gps.jpg", "astronaut-south-magnetic.jpg", "rocket-gps.jpg"]
RUNS = 11
FEATURES = 2000


def truth(w, h, deg, s, tilt):
    c, si = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    centre = np.array([[1, 0, -w / 2], [0, 1, -h / 2], [0, 0, 1.0]])
    rot = np.array([[s * c, -s * si, 0], [s * si, s * c, 0], [tilt, 0, 1.0]])
    back = np.array([[1, 0, w / 2 + 12], [0, 1, h / 2 - 7], [0, 0, 1.0]])
    m = back @ rot @ centre
    return m / m[2, 2]


def worst_error(h_got, h_true, w, hgt):
    worst = 0.0
    for i in range(1, 10):
        for j in range(1, 10):
            p = np.array([w * i / 10, hgt * j / 10, 1.0])
            t = h_true @ p
            t = t[:2] / t[2]
            if not (0 <= t[0] < w and 0 <= t[1] < hgt):
                continue
            g = h_got @ p
            g = g[:2] / g[2]
            worst = max(worst, float(np.hypot(*(g - t))))
    return worst


def opencv(a, b):
    orb = cv2.ORB_create(nfeatures=FEATURES)
    ga, gb = cv2.cvtColor(a, cv2.COLOR_BGR2GRAY), cv2.cvtColor(b, cv2.COLOR_BGR2GRAY)
    start = time.perf_counter()
    ka, da = orb.detectAndCompute(ga, None)
    kb, db = orb.detectAndCompute(gb, None)
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    good = [m for m, n in (p for p in matcher.knnMatch(da, db, k=2) if len(p) == 2)
            if m.distance < 0.8 * n.distance]
    src = np.float32([ka[m.queryIdx].pt for m in good]).reshape(-1, 1, 2)
    dst = np.float32([kb[m.trainIdx].pt for m in good]).reshape(-1, 1, 2)
    h, mask = cv2.findHomography(src, dst, cv2.RANSAC, 3.0)
    elapsed = (time.perf_counter() - start) * 1000
    return elapsed, h, int(mask.sum()) if mask is not None else 0


def geoproof(binary, pa, pb):
    out = subprocess.run([binary, "match", pa, pb, "--json"], check=True,
                         capture_output=True, text=True).stdout
    report = json.loads(out)
    h = np.array(report["homography"]) if report["homography"] else None
    return report["elapsed_ms"], h, report["inliers"]


def main():
    binary = os.path.join(ROOT, "target", "release", "geoproof")
    if not os.path.exists(binary):
        sys.exit(f"{binary}: build it first with cargo build --release")
    cv2.setNumThreads(1)  # geoproof's pipeline runs on one core
    # Both on the same core (the geoproof processes inherit this): on a shared virtual
    # machine the cores' speeds differ from minute to minute.
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rng = np.random.default_rng(7)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, name in enumerate(PHOTOS):
            a = cv2.resize(cv2.imread(os.path.join(ROOT, "tests", "data", name)), (1024, 768),
                           interpolation=cv2.INTER_CUBIC)
            ht = truth(1024, 768, [12, -20, 8][k], [0.85, 1.1, 0.95][k], [2e-4, -3e-4, 1e-4][k])
            b = cv2.warpPerspective(a, ht, (1024, 768)).astype(np.int16)
            b = np.clip(b + 30 + rng.integers(-8, 9, b.shape), 0, 255).astype(np.uint8)
            pa, pb = os.path.join(tmp, f"a{k}.png"), os.path.join(tmp, f"b{k}.png")
            cv2.imwrite(pa, a)
            cv2.imwrite(pb, b)
            # Interleaved, so a slow spell of the machine hits both alike.
            cv_runs, gp_runs = [], []
            for _ in range(RUNS):
                cv_runs.append(opencv(a, b))
                gp_runs.append(geoproof(binary, pa, pb))
            cv_ms = statistics.median(r[0] for r in cv_runs)
            gp_ms = statistics.median(r[0] for r in gp_runs)
            cv_err = worst_error(cv_runs[0][1], ht, 1024, 768) if cv_runs[0][1] is not None else float("inf")
            gp_err = worst_error(gp_runs[0][1], ht, 1024, 768) if gp_runs[0][1] is not None else float("inf")
            rows.append((name, cv_ms, gp_ms, cv_err, gp_err, cv_runs[0][2], gp_runs[0][2]))
    print(f"{'pair':32} {'opencv ms':>10} {'geoproof ms':>12} {'ratio':>6} "
          f"{'cv err px':>10} {'gp err px':>10} {'cv inl':>7} {'gp inl':>7}")
    for name, cv_ms, gp_ms, cv_err, gp_err, cvi, gpi in rows:
        print(f"{name:32} {cv_ms:10.1f} {gp_ms:12.1f} {gp_ms / cv_ms:6.2f} "
              f"{cv_err:10.3f} {gp_err:10.3f} {cvi:7d} {gpi:7d}")
    total_cv = sum(r[1] for r in rows)
    total_gp = sum(r[2] for r in rows)
    print(f"total: opencv {total_cv:.1f} ms, geoproof {total_gp:.1f} ms, "
          f"ratio {total_gp / total_cv:.2f} (geoproof / opencv)")


if __name__ == "__main__":
    main()
