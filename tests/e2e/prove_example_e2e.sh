#!/usr/bin/env bash
# The self-verification example (examples/prove.cpp) against lemma-mock-server playing
# examples/data/prove_scenario.json: the first proof is critiqued, the refinement is verified
# in round 2, the trace file holds every call; then a dead endpoint stops it after one round.
set -euo pipefail
server_bin=$1
example_bin=$2
scenario=$3
source "$(dirname "$0")/mock_server.sh"
mock_server_start "$server_bin" --scenario "$scenario"
port=$mock_port
work=$mock_work

problem="Prove that the sum of two odd integers is even."
set +e
LEMMA_BASE_URL="http://127.0.0.1:$port/v1" LEMMA_API_KEY="" LEMMA_MODEL=lemma-mock-math \
  "$example_bin" "$problem" "$work/trace.json" >"$work/out" 2>"$work/err"
status=$?
set -e
cat "$work/err"
[ "$status" -eq 0 ] || { echo "FAIL: expected exit 0 (verified), got $status"; exit 1; }
grep -q "2(m + n + 1)" "$work/out" || { echo "FAIL: not the refined proof"; cat "$work/out"; exit 1; }
grep -qx "score: 1 (verified)" "$work/out" || { echo "FAIL: no verified score line"; exit 1; }
grep -q "^round 2:" "$work/err" || { echo "FAIL: no progress for round 2"; exit 1; }
grep -qx "stopped: verified" "$work/err" || { echo "FAIL: stop reason"; exit 1; }
python3 - "$work/trace.json" <<'PY'
import json, sys
trace = json.load(open(sys.argv[1]))
assert trace["stop_reason"] == "verified" and trace["verified"] is True, trace["stop_reason"]
assert trace["rounds"] == 2, trace["rounds"]
roles = {call["role"] for call in trace["calls"]}
assert roles >= {"generate", "refine", "verify"}, roles
refine = [c for c in trace["calls"] if c["role"] == "refine"]
assert any("parity of its last digit" in c["prompt"] for c in refine), "critique not in a refinement"
best = next(c for c in trace["candidates"] if c["id"] == trace["best"])
assert best["verified"] and best["mean_score"] == 1.0 and best["parents"] == [0], best
assert trace["totals"]["calls"] == len(trace["calls"]) and trace["totals"]["total_tokens"] > 0
PY

mock_server_stop
set +e
LEMMA_BASE_URL="http://127.0.0.1:$port/v1" LEMMA_MODEL=lemma-mock-math \
  "$example_bin" "$problem" >"$work/out" 2>&1
status=$?
set -e
[ "$status" -eq 1 ] || { echo "FAIL: expected exit 1 with the server gone, got $status"; cat "$work/out"; exit 1; }
grep -qx "stopped: failed" "$work/out" || { echo "FAIL: stop reason"; cat "$work/out"; exit 1; }
grep -q "connection" "$work/out" || { echo "FAIL: the error is not shown"; cat "$work/out"; exit 1; }
echo "PASS"
