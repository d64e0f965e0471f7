#!/usr/bin/env python3
"""Grows a case's real search index (cache/search/) to N pictures for timing `geoproof
find` over a large index (#35): the real pictures are kept; each added picture is a copy
of a real one's features with every descriptor XORed with a random mask of about a
quarter of its bits set (features that no longer match, with realistic bit statistics),
attributed to one of the case's items as a numbered frame so the CLI takes the index as
current. Timing only: recall is measured on real pictures, never on these.

    python3 benches/search_synthetic_index.py CASE 10000
"""
import json
import random
import sys
from pathlib import Path

case, total = Path(sys.argv[1]), int(sys.argv[2])
folder = case / "cache" / "search"
manifest = json.loads((folder / "manifest.json").read_text())
raw = (folder / "features.bin").read_bytes()
real = list(manifest["entries"])
rng = random.Random(35)
masks = [rng.getrandbits(256) & rng.getrandbits(256) for _ in range(4096)]
out = bytearray(raw)
frame = 1_000_000
while len(manifest["entries"]) < total:
    source = rng.choice(real)
    start, count = source["first_feature"], source["feature_count"]
    first = len(out) // 40
    chunk = raw[start * 40:(start + count) * 40]
    for k in range(count):
        rec = chunk[k * 40:(k + 1) * 40]
        desc = int.from_bytes(rec[8:], "little") ^ masks[rng.randrange(4096)]
        out += rec[:8] + desc.to_bytes(32, "little")
    entry = dict(source)
    entry.update(first_feature=first, frame=frame, time_s=float(frame), why="synthetic")
    frame += 1
    manifest["entries"].append(entry)
manifest["feature_total"] = len(out) // 40
(folder / "features.bin").write_bytes(bytes(out))
(folder / "manifest.json").write_text(json.dumps(manifest))
print(f"{len(manifest['entries'])} pictures, {manifest['feature_total']} features")
