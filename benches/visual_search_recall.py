#!/usr/bin/env python3
"""Retrieval quality of `geoproof find` (#35) on public multi-view photo sets with known
groups (pictures of one place or object), every group a distractor set for the others.

    python3 benches/visual_search_recall.py prepare OUT --repo OWNER/NAME=GIT_DIR ...
    python3 benches/visual_search_recall.py run DATA [--limit 5] [--max-queries N] [--keep DIR]

`prepare` copies the pictures named in SETS out of git clones (or bare snapshots) of the
repositories at the commits below into OUT/<group>/, skipping byte-identical copies, and
writes OUT/MANIFEST.tsv (group, file, sha256, repository, commit, path). Nothing is
downloaded here; benches/visual_search_recall.SOURCES.md says where the sets come from
and under which terms.

`run` makes a case in a temporary folder with the geoproof binary in $GEOPROOF (default
target/release/geoproof), adds every picture of DATA (each sub-folder is one group; a
folder whose name starts with `_` holds distractors, each its own group), builds the
search index (`find --index`), then searches with every picture whose group has another
member, over the whole picture: `geoproof find CASE SHA256 --limit 5 --json`. A hit at k
is a result among the first k from the query's group (the query itself is never a
result). It prints recall@1 and recall@k overall and per source, the share of returned
results that are of the query's group, queries with no verified result, the indexing
rate and the median query time. Python 3.11, standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".heic", ".avif"}
STRECHA = "Benchmarking_Camera_Calibration_2008/"
WXBS = "imcui/datasets/wxbs_benchmark/.WxBS/v1.1/"
EVD = "imcui/datasets/wxbs_benchmark/.EVD/EVD/"


def strecha_group(path: str) -> str | None:
    """Strecha et al. 2008: castle-P19/P30 and entry-P10 show one castle courtyard (entry
    is its doorway, in the castle pictures too), Herz-Jesu-P8/P25 one church."""
    if not path.startswith(STRECHA) or "/images/" not in path:
        return None
    scene = path[len(STRECHA):].split("/")[0]
    if scene.startswith(("castle", "entry")):
        return "strecha-castle"
    for name in ("fountain", "Herz-Jesus"):
        if scene.startswith(name):
            return "strecha-" + name.lower().replace("-", "")
    return None


def wxbs_group(path: str) -> str | None:
    """WxBS 1.1 pairs (`kettle` and `kettle2` are one place); EVD pairs (`1/x`, `2/x`)."""
    if path.startswith(WXBS):
        parts = path[len(WXBS):].split("/")
        if len(parts) != 3:
            return None
        return "wxbs-" + parts[1].rstrip("0123456789")
    if path.startswith(EVD):
        parts = path[len(EVD):].split("/")
        if len(parts) != 2 or parts[0] not in ("1", "2"):
            return None
        return "evd-" + Path(parts[1]).stem
    return None


# (repository, commit, function from a path in the tree to its group or None)
SETS = [
    (
        "openMVG/SfM_quality_evaluation",
        "348a981ef51112e9848acfb20004f4ed6fbc6ce3",
        strecha_group,
    ),
    (
        "cvg/Hierarchical-Localization",
        "c13273bd0ecc2917a35910fd843712a1c6243193",
        lambda p: "imc-sacrecoeur" if p.startswith("datasets/sacre_coeur/mapping/") else None,
    ),
    (
        "openMVG/ImageDataset_SceauxCastle",
        "fde7f5faba555e3c54700477c304488613346a19",
        lambda p: "sceaux-castle" if p.startswith("images/") else None,
    ),
    (
        "alicevision/dataset_monstree",
        "c697b936be47d6b78ce58d7eb4188e6908503ee2",
        lambda p: "monstree" if p.startswith("full/") else None,
    ),
    (
        "ProjectNineveh/panel17RoomM",
        "add262c56f100d0d32df870db55a082401fa2d0e",
        lambda p: "nineveh-panel17" if p.startswith("images/") else None,
    ),
    (
        "Vincentqyw/image-matching-webui",
        "aa4a6d0c7cdc9533f79dae1060d87b13e3b6e84f",
        wxbs_group,
    ),
]


def git(git_dir: str, *args: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", git_dir, *args], check=True, capture_output=True
    ).stdout


def resolve_git_dir(path: str) -> str:
    """A clone's .git folder, or a bare repository as given."""
    p = Path(path)
    return str(p / ".git") if (p / ".git").exists() else str(p)


def prepare(out: Path, repos: dict[str, str]) -> int:
    out.mkdir(parents=True, exist_ok=True)
    seen: dict[str, tuple[str, str]] = {}
    rows = []
    for repo, commit, group_of in SETS:
        if repo not in repos:
            print(f"skipped {repo}: no --repo {repo}=GIT_DIR given", file=sys.stderr)
            continue
        git_dir = resolve_git_dir(repos[repo])
        listing = git(git_dir, "ls-tree", "-r", "--name-only", commit).decode()
        for path in listing.splitlines():
            group = group_of(path)
            if group is None or Path(path).suffix.lower() not in IMAGE_SUFFIXES:
                continue
            try:
                data = git(git_dir, "show", f"{commit}:{path}")
            except subprocess.CalledProcessError:
                # A shallow or partial copy may lack a blob (large files): say so.
                print(f"missing from the clone, skipped: {repo}:{path}", file=sys.stderr)
                continue
            sha = hashlib.sha256(data).hexdigest()
            if sha in seen:
                other_group, other_path = seen[sha]
                note = "" if other_group == group else f" (group {other_group})"
                print(f"duplicate skipped: {repo}:{path} = {other_path}{note}")
                continue
            seen[sha] = (group, f"{repo}:{path}")
            # A unique name inside the group: the path's last two parts.
            name = "_".join(Path(path).parts[-3:]).replace(" ", "_")
            target = out / group / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            rows.append((group, f"{group}/{name}", sha, repo, commit, path))
    with open(out / "MANIFEST.tsv", "w", encoding="utf-8") as f:
        f.write("group\tfile\tsha256\trepository\tcommit\tpath\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    groups = {r[0] for r in rows}
    print(f"{len(rows)} pictures in {len(groups)} groups written to {out}")
    return 0


def collect(data: Path) -> dict[Path, str]:
    """Each picture of DATA and its group."""
    pictures = {}
    for folder in sorted(p for p in data.iterdir() if p.is_dir()):
        for file in sorted(folder.iterdir()):
            if file.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            if folder.name.startswith("_"):
                pictures[file] = f"{folder.name}/{file.name}"
            else:
                pictures[file] = folder.name
    return pictures


def source_of(group: str) -> str:
    return group.split("-")[0].split("/")[0]


class Geoproof:
    def __init__(self, binary: str):
        self.binary = binary

    def run(self, *args: str, ok_codes=(0,)) -> tuple[subprocess.CompletedProcess, float]:
        start = time.perf_counter()
        proc = subprocess.run(
            [self.binary, *args], capture_output=True, text=True, check=False
        )
        elapsed = time.perf_counter() - start
        if proc.returncode not in ok_codes:
            raise RuntimeError(
                f"geoproof {' '.join(args[:3])} …: exit {proc.returncode}: "
                f"{proc.stderr.strip()[-2000:]}"
            )
        return proc, elapsed


def intake(gp: Geoproof, case: Path, pictures: dict[Path, str], batch: int):
    """Adds every picture; returns sha256 → group, the failures and the time taken."""
    by_sha: dict[str, str] = {}
    name_of: dict[str, str] = {}
    failures = []
    files = list(pictures)
    total_s = 0.0
    for i in range(0, len(files), batch):
        chunk = files[i : i + batch]
        proc, elapsed = gp.run("add", str(case), *map(str, chunk), "--json", ok_codes=(0, 1))
        total_s += elapsed
        for item in json.loads(proc.stdout):
            file = Path(item["file"])
            if item["status"] == "error":
                failures.append((file, item["error"]))
                continue
            sha = item["sha256"]
            if sha in by_sha and by_sha[sha] != pictures[file]:
                failures.append((file, f"same bytes as a picture of group {by_sha[sha]}"))
                continue
            by_sha[sha] = pictures[file]
            name_of[sha] = str(file.relative_to(file.parent.parent))
        print(f"added {min(i + batch, len(files))}/{len(files)}", file=sys.stderr)
    return by_sha, name_of, failures, total_s


def evaluate(args) -> int:
    binary = os.environ.get("GEOPROOF", "target/release/geoproof")
    if not Path(binary).is_file():
        print(f"error: {binary}: no geoproof binary (set GEOPROOF)", file=sys.stderr)
        return 2
    gp = Geoproof(binary)
    data = Path(args.data)
    pictures = collect(data)
    if args.max_pictures:
        pictures = dict(list(pictures.items())[: args.max_pictures])
    if not pictures:
        print(f"error: {data}: no pictures in its sub-folders", file=sys.stderr)
        return 2
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="gp-recall-"))
    case = work / "case"
    try:
        gp.run("new", str(case), "--title", "recall bench", "--json")
        by_sha, name_of, failures, intake_s = intake(gp, case, pictures, args.batch)
        proc, index_wall = gp.run("find", "--index", str(case), "--json", ok_codes=(0, 1))
        index = json.loads(proc.stdout)
        problems = [
            (item["original_name"], p) for item in index["added"] for p in item.get("problems", [])
        ]
        members = defaultdict(list)
        for sha, group in by_sha.items():
            members[group].append(sha)
        queries = [s for s, g in by_sha.items() if len(members[g]) > 1]
        if args.max_queries:
            queries = queries[: args.max_queries]
        results = []
        errors = []
        for n, sha in enumerate(queries, 1):
            try:
                proc, wall = gp.run("find", str(case), sha, "--limit", str(args.limit), "--json")
            except RuntimeError as err:
                # A refused query (too few features, undecodable) counts as a miss.
                errors.append((name_of[sha], str(err)))
                results.append({"query": sha, "group": by_sha[sha], "hit_groups": [],
                                "hit_inliers": [], "hit_first_pass_rank": [],
                                "refused": str(err)})
                continue
            report = json.loads(proc.stdout)
            hits = report["hits"]
            if any(h["sha256"] == sha for h in hits):
                errors.append((name_of[sha], "the query came back as its own result"))
            results.append(
                {
                    "query": sha,
                    "group": by_sha[sha],
                    "hit_groups": [by_sha.get(h["sha256"], "?") for h in hits],
                    "hit_inliers": [h["inliers"] for h in hits],
                    "hit_first_pass_rank": [h["first_pass_rank"] for h in hits],
                    "features": report["query_features"],
                    "wall_s": wall,
                    "search_s": report["first_pass_s"] + report["verify_s"],
                    "first_pass_s": report["first_pass_s"],
                }
            )
            if n % 10 == 0 or n == len(queries):
                print(f"queried {n}/{len(queries)}", file=sys.stderr)
        summary = summarise(
            args, data, pictures, by_sha, members, failures, problems, index, index_wall,
            intake_s, results, errors, name_of,
        )
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(summary | {"results": results}, indent=1))
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def recall(results: list[dict], k: int) -> float:
    if not results:
        return float("nan")
    return sum(r["group"] in r["hit_groups"][:k] for r in results) / len(results)


def summarise(args, data, pictures, by_sha, members, failures, problems, index, index_wall,
              intake_s, results, errors, name_of) -> dict:
    k = args.limit
    groups = [g for g in members if not g.startswith("_")]
    queried_groups = [g for g in groups if len(members[g]) > 1]
    distractors = sum(len(members[g]) for g in members if g.startswith("_"))
    print(f"\nDataset: {args.name} ({data})")
    print(
        f"{len(pictures)} files, {len(by_sha)} pictures in the case: {len(queried_groups)} groups "
        f"of 2 or more ({sum(len(members[g]) for g in queried_groups)} pictures), "
        f"{distractors} lone distractors; {len(results)} queries"
    )
    for file, why in failures:
        print(f"  not in the case: {file}: {why}")
    for name, why in problems:
        print(f"  not indexed in full: {name}: {why}")
    for name, why in errors:
        print(f"  query refused or wrong (counted as a miss): {name}: {why}")

    by_source = defaultdict(list)
    for r in results:
        by_source[source_of(r["group"])].append(r)
    header = f"{'set':<16}{'queries':>8}{'R@1':>8}{f'R@{k}':>8}{'no result':>11}{'precision':>11}"
    print("\n" + header)
    print("-" * len(header))
    rows = sorted(by_source.items()) + [("all", results)]
    table = {}
    for name, rs in rows:
        returned = sum(len(r["hit_groups"]) for r in rs)
        right = sum(g == r["group"] for r in rs for g in r["hit_groups"])
        empty = sum(not r["hit_groups"] for r in rs)  # refused queries included
        precision = right / returned if returned else float("nan")
        table[name] = {
            "queries": len(rs),
            "recall_at_1": recall(rs, 1),
            f"recall_at_{k}": recall(rs, k),
            "no_result": empty,
            "precision": precision,
        }
        print(
            f"{name:<16}{len(rs):>8}{recall(rs, 1):>8.3f}{recall(rs, k):>8.3f}"
            f"{empty:>11}{precision:>11.3f}"
        )
    wrong_top1 = [r for r in results if r["hit_groups"] and r["hit_groups"][0] != r["group"]]
    print(f"\nqueries whose first result is of another group: {len(wrong_top1)}")
    for r in wrong_top1[:15]:
        print(
            f"  {name_of[r['query']]} -> group {r['hit_groups'][0]} "
            f"({r['hit_inliers'][0]} inliers)"
        )
    items = index["items"]
    rate = items / index["elapsed_s"] if index["elapsed_s"] else float("nan")
    walls = [r["wall_s"] for r in results if "wall_s" in r]
    searches = [r["search_s"] for r in results if "search_s" in r]
    print(
        f"\nintake: {len(pictures)} files in {intake_s:.1f} s "
        f"({len(pictures) / intake_s:.1f} files/s, `geoproof add` in batches of {args.batch})"
    )
    print(
        f"indexing: {items} items, {index['entries']} pictures in {index['elapsed_s']:.1f} s "
        f"({rate:.1f} pictures/s; whole process {index_wall:.1f} s)"
    )
    if walls:
        print(
            f"query: median {statistics.median(walls):.2f} s for the whole `find` process "
            f"(max {max(walls):.2f} s); median {statistics.median(searches):.3f} s in the "
            f"search itself (first pass and verification; max {max(searches):.3f} s)"
        )
    return {
        "dataset": args.name,
        "pictures": len(by_sha),
        "groups": len(queried_groups),
        "distractors": distractors,
        "table": table,
        "wrong_top1": len(wrong_top1),
        "index_items": items,
        "index_elapsed_s": index["elapsed_s"],
        "index_rate": rate,
        "intake_s": intake_s,
        "median_query_wall_s": statistics.median(walls) if walls else None,
        "median_search_s": statistics.median(searches) if searches else None,
        "failures": [(str(f), w) for f, w in failures],
        "index_problems": problems,
        "query_errors": errors,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="copy the sets out of git clones into OUT/<group>/")
    p.add_argument("out")
    p.add_argument(
        "--repo", action="append", default=[], metavar="OWNER/NAME=GIT_DIR",
        help="where a clone of a repository of SETS is (repeat)",
    )
    r = sub.add_parser("run", help="measure recall with the geoproof binary in $GEOPROOF")
    r.add_argument("data", help="a folder of groups, e.g. one made by `prepare`")
    r.add_argument("--name", default="geoproof multi-view recall set (see SOURCES.md)")
    r.add_argument("--limit", type=int, default=5, help="results per query (k)")
    r.add_argument("--batch", type=int, default=50, help="files per `geoproof add`")
    r.add_argument("--max-pictures", type=int, default=0, help="take only the first N files")
    r.add_argument("--max-queries", type=int, default=0, help="run only the first N queries")
    r.add_argument("--keep", help="make the case here and keep it")
    r.add_argument("--json-out", help="write the figures and every query's results here")
    args = parser.parse_args()
    if args.command == "prepare":
        repos = {}
        for spec in args.repo:
            name, _, path = spec.partition("=")
            if not path:
                parser.error(f"--repo {spec}: expected OWNER/NAME=GIT_DIR")
            repos[name] = path
        return prepare(Path(args.out), repos)
    return evaluate(args)


if __name__ == "__main__":
    sys.exit(main())
