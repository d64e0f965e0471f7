#!/usr/bin/env bash
# `geoproof add` of a 24 MP JPEG, whole process, against its floor: `sha256sum`,
# `djpeg -scale 1/8` and `cp` run one after the other on the same file. The two are
# timed alternately in one run (N rounds, median of each) and the ratios are printed: of
# wall time, and of CPU time (user + system), which other jobs on a shared machine do
# not inflate.
#
# Needs a release CLI: cargo build --release --no-default-features --bin geoproof
# and ImageMagick's `convert`, libjpeg-turbo's `djpeg`. Usage: benches/intake_vs_tools.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-15}
bin=${GEOPROOF:-target/release/geoproof}
work=target/bench-intake
mkdir -p "$work"
jpg=$work/src24.jpg
if [ ! -f "$jpg" ]; then
    # A 6000×4000 photo with sensor-like noise (so it compresses like a camera file).
    convert tests/data/rocket-gps.jpg -resize '6000x4000!' -attenuate 0.6 +noise Gaussian \
        -quality 90 "$jpg"
fi
TIMEFORMAT='%R %U %S'
wall_ours=() wall_tools=() cpu_ours=() cpu_tools=()
# Milliseconds of `real user sys` (seconds) from bash's `time`: wall and user+sys.
ms() { awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}'; }
for i in $(seq 1 "$n"); do
    rm -rf "$work/case" "$work/copy.jpg"
    "$bin" new "$work/case" --title bench >/dev/null
    cat "$jpg" >/dev/null # both start from the page cache
    read -r w c < <({ time "$bin" add "$work/case" "$jpg" >/dev/null 2>&1; } 2>&1 | ms)
    wall_ours+=("$w") cpu_ours+=("$c")
    read -r w c < <({ time {
        sha256sum "$jpg" >/dev/null
        djpeg -scale 1/8 -outfile /dev/null "$jpg"
        cp "$jpg" "$work/copy.jpg"
    }; } 2>&1 | ms)
    wall_tools+=("$w") cpu_tools+=("$c")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "size $(stat -c %s "$jpg") bytes, $n rounds alternating, medians"
for what in wall cpu; do
    o=$(eval median "\${${what}_ours[@]}")
    t=$(eval median "\${${what}_tools[@]}")
    awk -v w="$what" -v a="$o" -v b="$t" \
        'BEGIN {printf "%-4s geoproof add %d ms, sha256sum+djpeg+cp %d ms, ratio %.2fx\n", w, a, b, a / b}'
done
