#!/usr/bin/env bash
# `lemma batch` and Ctrl-C: SIGINT part-way exits 130 with consistent files (every line whole,
# no custom_id twice), the rerun resumes and finishes with exit 0, every custom_id exactly once;
# the resumed run's summary counts the first run's results. Also the exit codes of a resume with
# nothing left (0 when all succeeded, 1 when the errors file holds failures) and of bad input (2).
set -euo pipefail
server_bin=$1
lemma_bin=$2
source "$(dirname "$0")/mock_server.sh"
mock_server_start "$server_bin" --delay-ms 100
work=$mock_work
export LEMMA_BASE_URL="http://127.0.0.1:$mock_port/v1" LEMMA_API_KEY="" LEMMA_MODEL=lemma-mock-math

fail() { echo "FAIL: $*"; exit 1; }
python3 - "$work/in.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(120):
        f.write(json.dumps({"custom_id": f"q{i}", "method": "POST", "url": "/v1/chat/completions",
                            "body": {"messages": [{"role": "user", "content": f"What is {i} + {i}?"}]}}) + "\n")
PY

# One in flight at a time, 100 ms each: ~12 s of work, interrupted after a few results.
"$lemma_bin" batch "$work/in.jsonl" "$work/out.jsonl" --concurrency 1 >"$work/run1.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
  [ -s "$work/out.jsonl" ] && [ "$(wc -l <"$work/out.jsonl")" -ge 5 ] && break
  sleep 0.05
done
kill -INT "$pid"
set +e
wait "$pid"
status=$?
set -e
cat "$work/run1.log"
[ "$status" -eq 130 ] || fail "expected exit 130 after SIGINT, got $status"
done1=$(wc -l <"$work/out.jsonl")
[ "$done1" -ge 5 ] && [ "$done1" -lt 120 ] || fail "expected a partial output, got $done1 lines"

check_files() {
  python3 - "$work/in.jsonl" "$work/out.jsonl" "$work/out.errors.jsonl" "$1" <<'PY'
import json, sys
inp, out, err, complete = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "complete"
ids = [json.loads(l)["custom_id"] for l in open(inp)]
seen = []
for path in (out, err):
    for line in open(path):
        record = json.loads(line)  # every line whole
        seen.append(record["custom_id"])
assert len(seen) == len(set(seen)), "a custom_id twice"
assert set(seen) <= set(ids), "an unknown custom_id"
if complete:
    assert sorted(seen) == sorted(ids), f"{len(ids) - len(seen)} custom_ids missing"
for line in open(out):
    record = json.loads(line)
    i = int(record["custom_id"][1:])
    assert f"{i} + {i} = {2 * i}" in record["response"]["body"]["choices"][0]["message"]["content"], record
PY
}
check_files partial || fail "files after the interrupt"

"$lemma_bin" batch "$work/in.jsonl" "$work/out.jsonl" --concurrency 16 >"$work/run2.log" 2>&1 \
  || fail "the resume exited $? ($(cat "$work/run2.log"))"
check_files complete || fail "files after the resume"
grep -q "$done1 already done\|$done1 done by earlier runs" "$work/run2.log" \
  || fail "the resume's summary does not count the first run's $done1 results: $(cat "$work/run2.log")"

# Nothing left to do: exit 0 (everything succeeded).
"$lemma_bin" batch "$work/in.jsonl" "$work/out.jsonl" >/dev/null 2>&1 || fail "a finished resume exited $?"

# A malformed line goes to the errors file; the exit status is 1, also for a resume with
# nothing left to do, and the line is recorded once across runs.
cp "$work/in.jsonl" "$work/in2.jsonl"
echo '{"custom_id": "broken", "method": "POST", "url": "/v1/chat/completions"}' >>"$work/in2.jsonl"
set +e
"$lemma_bin" batch "$work/in2.jsonl" "$work/out.jsonl" >/dev/null 2>&1
first=$?
"$lemma_bin" batch "$work/in2.jsonl" "$work/out.jsonl" >/dev/null 2>&1
second=$?
set -e
[ "$first" -eq 1 ] && [ "$second" -eq 1 ] || fail "expected 1 and 1 with a failure recorded, got $first, $second"
[ "$(grep -c '"broken"' "$work/out.errors.jsonl")" -eq 1 ] || fail "the malformed line is not recorded exactly once"
grep -q '"line":121' "$work/out.errors.jsonl" || fail "the error record does not name line 121"

# A duplicate custom_id refuses the whole file before anything is sent: exit 2.
head -1 "$work/in.jsonl" >>"$work/in2.jsonl"
set +e
"$lemma_bin" batch "$work/in2.jsonl" "$work/dup.jsonl" 2>"$work/dup.log"
status=$?
set -e
[ "$status" -eq 2 ] || fail "expected exit 2 for a duplicate custom_id, got $status"
grep -q 'appears on lines 1 and 122' "$work/dup.log" || fail "duplicate message: $(cat "$work/dup.log")"
[ ! -s "$work/dup.jsonl" ] || fail "a refused file produced output"
# No model anywhere and the server down: nothing can be sent, and nothing is recorded (exit 3).
python3 - "$work/nomodel.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"custom_id": "x", "method": "POST", "url": "/v1/chat/completions",
                        "body": {"messages": [{"role": "user", "content": "1+1?"}]}}) + "\n")
PY
set +e
LEMMA_MODEL= LEMMA_BASE_URL="http://127.0.0.1:1/v1" \
  "$lemma_bin" batch "$work/nomodel.jsonl" "$work/nomodel.out.jsonl" 2>"$work/nomodel.log"
status=$?
set -e
[ "$status" -eq 3 ] || fail "expected exit 3 with no model and no server, got $status: $(cat "$work/nomodel.log")"
[ ! -s "$work/nomodel.out.errors.jsonl" ] || fail "a failure was recorded although nothing could be sent"
echo "PASS"
