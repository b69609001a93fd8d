#!/usr/bin/env bash
# The async grading example against lemma-mock-server: 200 problems, 64 in flight on one
# loop thread, every one graded correct; then a dead endpoint makes it exit 1.
set -euo pipefail
server_bin=$1
example_bin=$2
problems=$3
source "$(dirname "$0")/mock_server.sh"
mock_server_start "$server_bin" --delay-ms 20
port=$mock_port
work=$mock_work

output=$(LEMMA_BASE_URL="http://127.0.0.1:$port/v1" LEMMA_API_KEY="" LEMMA_MODEL=lemma-mock-math \
         "$example_bin" "$problems" 64)
tail -3 <<<"$output"
total=$(grep -c . "$problems")
grep -qx "correct: $total / $total" <<<"$output" || { echo "FAIL: not every problem graded correct"; exit 1; }
[ "$(grep -c $'\tequal\t' <<<"$output")" -eq "$total" ] || { echo "FAIL: per-problem lines"; exit 1; }

mock_server_stop
head -3 "$problems" >"$work/three.jsonl"  # each is retried with real backoff: keep it short
set +e
LEMMA_BASE_URL="http://127.0.0.1:$port/v1" LEMMA_MODEL=lemma-mock-math \
  "$example_bin" "$work/three.jsonl" 8 >"$work/out" 2>&1
status=$?
set -e
[ "$status" -eq 1 ] || { echo "FAIL: expected exit 1 with the server gone, got $status"; exit 1; }
grep -q $'\terror\t' "$work/out" || { echo "FAIL: no error lines"; exit 1; }
echo "PASS"
