#!/usr/bin/env bash
# A long fuzz run of one target from its committed corpus, with the
# coverage timeline FUZZING.md quotes: `fuzz/campaign.sh TARGET SECONDS`.
# New inputs go to a scratch corpus; `cargo fuzz cmin` folds them back.
set -euo pipefail
cd "$(dirname "$0")"
target=$1 seconds=$2
# Without AddressSanitizer: the code is safe Rust, so ASan has little to
# find, and it costs the IDL target six times its speed (FUZZING.md).
# SANITIZER=address brings it back.
sanitizer=${SANITIZER:-none}
dir=target/$sanitizer
RUSTC_BOOTSTRAP=1 cargo fuzz build -O -s "$sanitizer" --target-dir "$dir" "$target"
bin=$dir/x86_64-unknown-linux-gnu/release/$target
scratch=${SCRATCH:-/tmp/msrpc-fuzz}/$target
mkdir -p "$scratch" "artifacts/$target"
log=$scratch/log
# A target's dictionary (fuzz/TARGET.dict), where it has one: the idl
# target's keywords let mutations build declarations, not only bytes.
dict=()
[ -f "$target.dict" ] && dict=(-dict="$target.dict")
"$bin" "$scratch" "corpus/$target" "${dict[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="artifacts/$target/" >"$log" 2>&1 || true
# The timeline: executions and edges covered at each power-of-two count.
grep -E '^#[0-9]+.*(pulse|INITED|DONE)' "$log" | awk '{ print $1, $2, $4, $6 }'
grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$log" || true
ls "artifacts/$target" | sed 's/^/finding: /'
