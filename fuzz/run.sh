#!/usr/bin/env bash
# Builds the fuzz targets (libFuzzer + AddressSanitizer over every Swift target) and runs each for SECONDS
# (default 60) over the seeds (vectors/ and regressions/, the inputs of crashes found and fixed); prints executions
# (all workers), executions a second per worker, corpus size and crashes per target. Exit 1 if any target crashed.
# Each target runs FUZZ_JOBS workers at once (default: one per core) on one corpus; libFuzzer reloads the corpus
# directory as it goes, so each worker picks up what the others find.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(form notify json-response xml-response key cert-bundle har jsonl v3-auth order-string
                                     html-form multipart open-data download)
# Optimised: a debug build runs ~9 times fewer executions a second under the same sanitizers.
if ! log=$(swift build -c release --product alipay-fuzz -Xswiftc -sanitize=fuzzer,address 2>&1); then
  echo "$log" >&2
  echo "fuzz/run.sh: building the fuzz targets failed" >&2
  exit 1
fi
# No allocation stack traces kept (they cost a fifth of the time; a crash is re-run with them to investigate), and
# a smaller quarantine (use-after-free is still caught within it).
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0:quarantine_size_mb=16}
python3 seeds.py >/dev/null
mkdir -p .crashes
failed=0
jobs=${FUZZ_JOBS:-$(nproc)}
printf '%-14s %12s %14s %8s %8s\n' target executions 'exec/s/worker' corpus crashes
for t in "${targets[@]}"; do
  rm -f .crashes/"$t"-* .crashes/"$t".*.log   # only this run's findings count
  # Inputs as large as the parser's real inputs need, no larger: a key, a certificate bundle (Alipay's root bundles
  # are about 5 KB) or a capture exchange fits in 8 KiB, a response or a download in 16 KiB; libFuzzer grows its
  # input limit to that cap as it runs, and the rate falls as inputs grow (cert-bundle: 3.9 K/s per worker at the
  # start of a 1200 s run, 2.0 K/s at its end with 16 KiB).
  case $t in key|cert-bundle|har|jsonl|v3-auth|form|notify|order-string|html-form|open-data) max_len=8192 ;; *) max_len=16384 ;; esac
  mkdir -p ".corpus/$t"
  pids=()
  for j in $(seq 1 "$jobs"); do
    .build/release/alipay-fuzz "$t" -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=$max_len -print_final_stats=1 \
      -artifact_prefix=".crashes/$t-" ".corpus/$t" >".crashes/$t.$j.log" 2>&1 &
    pids+=($!)
  done
  status=0
  for pid in "${pids[@]}"; do wait "$pid" || status=1; done
  runs=$(cat .crashes/"$t".*.log | grep -E '^stat::number_of_executed_units' | awk '{s += $2} END {print s}')
  rate=$(cat .crashes/"$t".*.log | grep -E '^stat::average_exec_per_sec' | awk '{s += $2; n++} END {if (n) printf "%d", s / n}')
  # libFuzzer's artifacts: crash-, leak-, timeout- and oom- are failures; slow-unit- is an input that once took
  # more than 10 s (-report_slow_units), which a loaded or paused machine produces too: kept and named, not failed.
  crashes=$(find .crashes -name "$t-*" ! -name "$t-slow-unit-*" | wc -l)
  slow=$(find .crashes -name "$t-slow-unit-*" | wc -l)
  printf '%-14s %12s %14s %8s %8s\n' "$t" "${runs:-?}" "${rate:-?}" "$(ls ".corpus/$t" | wc -l)" "$crashes"
  if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then failed=1; echo "  see fuzz/.crashes/$t.*.log"; fi
  if [ "$slow" -ne 0 ]; then
    echo "  $slow slow unit(s) in fuzz/.crashes/$t-slow-unit-*: run each alone (.build/release/alipay-fuzz $t FILE) to tell a slow path from a busy machine"
  fi
done
exit $failed
