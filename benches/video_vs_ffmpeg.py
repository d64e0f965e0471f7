#!/usr/bin/env python3
"""Video intake and frame grabs, geoproof against ffmpeg's own CLI, in one run.

Makes a 60 s and a 10 min 1080p H.264 clip (keyframe every 250 frames) with ffmpeg,
then alternates, round by round:
  intake:  `geoproof add` into a fresh case
           vs `sha256sum` + `ffprobe -show_format -show_streams` + one `ffmpeg -ss` thumbnail
  grab:    `geoproof frames CASE VIDEO --at T` (exact frame, PNG evidence with provenance)
           vs `ffmpeg -ss T -i clip -frames:v 1 out.png`
and prints the medians and their ratio (the machine's speed drifts, the ratio less so).

    cargo build --release && python3 benches/video_vs_ffmpeg.py [ROUNDS]
"""
import os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEOPROOF = os.path.join(ROOT, "target", "release", "geoproof")
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 7


def run(args, **kw):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    # GP_BENCH_CLIPS=DIR reuses the clips of an earlier run (making them takes minutes).
    clips = os.environ.get("GP_BENCH_CLIPS")
    tmp = tempfile.mkdtemp(prefix="gp-video-bench-")
    short = os.path.join(clips or tmp, "60s.mp4")
    long = os.path.join(clips or tmp, "10min.mp4")
    if not (os.path.exists(short) and os.path.exists(long)):
        print("making clips …", flush=True)
        run(["ffmpeg", "-y", "-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=30:d=60",
             "-c:v", "libx264", "-preset", "veryfast", "-g", "250", "-bf", "2", "-pix_fmt", "yuv420p", short])
        run(["ffmpeg", "-y", "-stream_loop", "9", "-i", short, "-c", "copy", long])
    case = os.path.join(tmp, "case")
    run([GEOPROOF, "new", case])
    run([GEOPROOF, "add", case, long])
    video_id = subprocess.run([GEOPROOF, "list", case, "--json"], check=True, capture_output=True, text=True)
    import json
    video_id = json.loads(video_id.stdout)["evidence"][0]["sha256"][:12]

    intake_gp, intake_ff, grab_gp, grab_ff = [], [], [], []
    for r in range(ROUNDS):
        fresh = os.path.join(tmp, f"intake{r}")
        run([GEOPROOF, "new", fresh])
        thumb = os.path.join(tmp, f"thumb{r}.png")

        def baseline_intake():
            run(["sha256sum", short])
            run(["ffprobe", "-v", "error", "-show_format", "-show_streams", short])
            run(["ffmpeg", "-y", "-ss", "6", "-i", short, "-frames:v", "1", "-vf", "scale=256:-2", thumb])

        t = 37.3 + 53.9 * r  # a different frame each round, never on a keyframe
        out = os.path.join(tmp, f"grab{r}.png")
        pair = [
            (intake_gp, lambda: run([GEOPROOF, "add", fresh, short])),
            (intake_ff, baseline_intake),
            (grab_gp, lambda: run([GEOPROOF, "frames", case, video_id, "--at", f"{t:.3f}"])),
            (grab_ff, lambda: run(["ffmpeg", "-y", "-ss", f"{t:.3f}", "-i", long, "-frames:v", "1", out])),
        ]
        # Alternate the order between rounds so drift favours neither side.
        if r % 2:
            pair = [pair[1], pair[0], pair[3], pair[2]]
        for samples, fn in pair:
            samples.append(timed(fn))
        print(f"round {r + 1}/{ROUNDS}", flush=True)

    def report(name, ours, theirs, limit):
        a, b = statistics.median(ours), statistics.median(theirs)
        verdict = "within" if a / b <= limit else "OVER"
        print(f"{name}: geoproof {a * 1000:.0f} ms, ffmpeg CLI {b * 1000:.0f} ms, "
              f"ratio {a / b:.2f} ({verdict} the {limit}x target)")

    report("intake of a 60 s 1080p clip", intake_gp, intake_ff, 1.5)
    report("frames --at T on a 10 min 1080p clip", grab_gp, grab_ff, 1.2)


if __name__ == "__main__":
    main()
