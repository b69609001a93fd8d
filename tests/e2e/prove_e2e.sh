#!/usr/bin/env bash
# `lemma prove` and `lemma grade-proof` against lemma-mock-server running the example scenario
# (examples/data/prove_scenario.json): a flawed first proof, the verifier's critique, a
# refinement that uses it, a verified proof; the trace; the token budget; exit codes; proof
# grading with a bad line; a Lean 4 checker (the fake REPL) alone; the plain mock (no scenario).
set -euo pipefail
server_bin=$1
lemma_bin=$2
scenario=$3
fake_repl=$4
source "$(dirname "$0")/mock_server.sh"
mock_server_start "$server_bin" --scenario "$scenario"
work=$mock_work
export LEMMA_BASE_URL="http://127.0.0.1:$mock_port/v1" LEMMA_API_KEY="" LEMMA_MODEL=lemma-mock-math
unset LEMMA_PROVIDER AIMLAPI_API_KEY DATAOORTS_API_KEY || true
fail() { echo "FAIL: $*"; exit 1; }
problem="Prove that the sum of two odd integers is even."

# Solved in round 2 after the critique: exit 0, the refined proof on stdout, progress on stderr.
set +e
"$lemma_bin" prove "$problem" --candidates 2 --verifications 3 --rounds 3 \
  --trace "$work/trace.json" >"$work/proof.txt" 2>"$work/prove.err"
status=$?
set -e
cat "$work/prove.err"
[ "$status" -eq 0 ] || fail "prove: expected exit 0, got $status"
grep -q "2(m + n + 1)" "$work/proof.txt" || fail "the refined proof is not on stdout"
grep -q "## Self Evaluation" "$work/proof.txt" && fail "the self-evaluation was printed with the proof"
grep -q "round 1 done" "$work/prove.err" || fail "no progress for round 1"
grep -q "a candidate was dropped (the same proof is already in the pool)" "$work/prove.err" ||
  fail "the reason a candidate was dropped"
grep -q "^lemma prove: verified; best #1 (round 2), score 1.00 over 3 verifications" \
  "$work/prove.err" || fail "the summary line"
python3 - "$work/trace.json" <<'PY'
import json, sys
trace = json.load(open(sys.argv[1]))
assert trace["stop_reason"] == "verified", trace["stop_reason"]
calls = trace["calls"]
refines = [c for c in calls if c["role"] == "refine"]
assert refines, "no refinement call"
# The critique of the first proof reached the generator in the refinement prompt.
assert "parity of its last digit" in refines[0]["prompt"], refines[0]["prompt"][-400:]
verifies = [c for c in calls if c["role"] == "verify"]
# The verifier never sees reasoning or a self-evaluation.
for c in verifies:
    assert "Try last digits" not in c["prompt"]
    assert "## Self Evaluation" not in c["prompt"].split("## Solution")[-1]
assert all(c["outcome"] in ("ok", "duplicate") for c in calls), [c["outcome"] for c in calls]
best = [c for c in trace["candidates"] if c["id"] == trace["best"]][0]
assert best["verified"] and best["mean_score"] == 1, best
PY

# --json: the same result on stdout as one JSON document.
"$lemma_bin" prove "$problem" --candidates 1 --verifications 1 --json 2>/dev/null |
  python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["stop_reason"]=="verified", r["stop_reason"]'

# A token budget too small for round 2: the best so far (the flawed proof), exit 1.
set +e
"$lemma_bin" prove "$problem" --candidates 1 --verifications 1 --max-total-tokens 800 \
  >"$work/budget.txt" 2>"$work/budget.err"
status=$?
set -e
cat "$work/budget.err"
[ "$status" -eq 1 ] || fail "budget: expected exit 1, got $status"
grep -q "^lemma prove: token_budget; best #0" "$work/budget.err" || fail "budget: the stop reason"
grep -q "end in 1, 3, 5, 7 or 9" "$work/budget.txt" || fail "budget: the best so far is not printed"

# Usage errors: nothing sent.
set +e
"$lemma_bin" prove "" >/dev/null 2>"$work/usage.err"; s1=$?
"$lemma_bin" prove "$problem" --lean-only >/dev/null 2>>"$work/usage.err"; s2=$?
"$lemma_bin" prove "$problem" --lean-repl x --lean-server http://127.0.0.1:1/api/check \
  >/dev/null 2>>"$work/usage.err"; s3=$?
"$lemma_bin" prove "$problem" --max-cost 0.01 >/dev/null 2>>"$work/usage.err"; s4=$?
"$lemma_bin" prove "$problem" --verifications 0 >/dev/null 2>>"$work/usage.err"; s5=$?
"$lemma_bin" prove "$problem" --lean-header "$scenario" >/dev/null 2>>"$work/usage.err"; s6=$?
set -e
[ "$s1" -eq 2 ] && [ "$s2" -eq 2 ] && [ "$s3" -eq 2 ] && [ "$s4" -eq 2 ] && [ "$s5" -eq 2 ] &&
  [ "$s6" -eq 2 ] || fail "usage errors: $s1 $s2 $s3 $s4 $s5 $s6"
grep -q -- "--max-cost needs the prices" "$work/usage.err" || fail "--max-cost without prices"
grep -q "empty" "$work/usage.err" && grep -q -- "--lean-only needs a checker" "$work/usage.err" ||
  fail "usage messages"

# grade-proof: the flawed proof scores 0, the refined one 1 (verified); a bad line is reported.
python3 - "$work/proofs.jsonl" "$problem" <<'PY'
import json, sys
path, problem = sys.argv[1], sys.argv[2]
flawed = "## Solution\nOdd numbers end in an odd digit, so the sum ends in an even digit.\n## Self Evaluation\n\\boxed{1}"
good = "Let a = 2m + 1 and b = 2n + 1. Then a + b = 2(m + n + 1), which is even."
with open(path, "w") as f:
    f.write(json.dumps({"id": "flawed", "problem": problem, "proof": flawed}) + "\n")
    f.write("not json\n")
    f.write(json.dumps({"id": "good", "problem": problem, "proof": good}) + "\n")
    f.write(json.dumps({"id": "thoughts", "problem": problem, "proof": "<think>only reasoning</think>"}) + "\n")
PY
set +e
"$lemma_bin" grade-proof "$work/proofs.jsonl" --verifications 2 -o "$work/scored.jsonl" \
  2>"$work/grade.err"
status=$?
set -e
cat "$work/grade.err"
[ "$status" -eq 1 ] || fail "grade-proof: expected exit 1 (one bad line), got $status"
python3 - "$work/scored.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert [l.get("id", l.get("line")) for l in lines] == ["flawed", 2, "good", 4], lines
assert "empty once its reasoning" in lines[3]["error"], lines[3]
assert lines[0]["score"] == 0 and lines[0]["verified"] is False and lines[0]["scores"] == [0, 0]
assert "unjustified" in lines[0]["evaluations"][0]["evaluation"]
assert lines[2]["score"] == 1 and lines[2]["verified"] is True
assert "not a JSON object" in lines[1]["error"]
PY

# One proof of a single problem from a file; one that is not UTF-8 is refused (exit 2), not a crash.
printf '## Solution\nLet a = 2m + 1 and b = 2n + 1, so a + b = 2(m + n + 1).\n' >"$work/one.md"
"$lemma_bin" grade-proof --problem "$problem" --proof-file "$work/one.md" --verifications 1 \
  >"$work/one.out" 2>"$work/one.err" || { cat "$work/one.err"; fail "--proof-file"; }
grep -q '"verified":true' "$work/one.out" || fail "--proof-file not scored"
printf 'caf\xe9\n' >"$work/latin1.md"
set +e
"$lemma_bin" grade-proof --problem "$problem" --proof-file "$work/latin1.md" >/dev/null \
  2>"$work/latin1.err"
status=$?
set -e
[ "$status" -eq 2 ] && grep -q "not valid UTF-8" "$work/latin1.err" || fail "non-UTF-8 proof: $status"

# A Lean 4 checker: the fake REPL accepts a clean block and rejects FAKE_ERROR; --lean-only
# makes no verifier call.
python3 - "$work/lean.jsonl" <<'PY'
import json, sys
ok = "```lean4\ntheorem t : 1 + 1 = 2 := by norm_num\n```"
bad = "```lean4\ntheorem t : 1 + 1 = 3 := by FAKE_ERROR\n```"
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"problem": "1 + 1 = 2", "proof": ok}) + "\n")
    f.write(json.dumps({"problem": "1 + 1 = 3", "proof": bad}) + "\n")
PY
"$lemma_bin" grade-proof "$work/lean.jsonl" --lean-repl "bash $fake_repl" --lean-only \
  -o "$work/lean_scored.jsonl" 2>"$work/lean.err" || { cat "$work/lean.err"; fail "lean-only"; }
python3 - "$work/lean_scored.jsonl" "$work/lean.err" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[0]["score"] == 1 and lines[0]["evaluations"][0]["source"] == "lean", lines[0]
assert lines[1]["score"] == 0 and "rejected" in lines[1]["evaluations"][0]["evaluation"], lines[1]
assert "; 0 calls" in open(sys.argv[2]).read()
PY
# Out of the box: the mock without a scenario answers proof prompts in the format (and says it
# is the mock), so the loop runs end to end.
mock_server_stop
mock_server_start "$server_bin"
export LEMMA_BASE_URL="http://127.0.0.1:$mock_port/v1"
"$lemma_bin" prove "$problem" --candidates 1 --verifications 2 >"$work/plain.txt" \
  2>"$work/plain.err" || { cat "$work/plain.err"; fail "prove against the plain mock"; }
grep -q "lemma mock endpoint" "$work/plain.txt" || fail "the plain mock's proof"
grep -q "^lemma prove: verified" "$work/plain.err" || fail "the plain mock's verdict"
# A Lean checker that cannot run is named as the reason, not the verifier.
set +e
"$lemma_bin" grade-proof "$work/lean.jsonl" --lean-repl /nonexistent/repl --lean-only \
  >"$work/norepl.out" 2>"$work/norepl.err"
status=$?
set -e
[ "$status" -eq 1 ] || fail "a checker that cannot run: exit $status"
grep -q "the Lean checker could not check it" "$work/norepl.out" || { cat "$work/norepl.out"; fail "checker error"; }

echo "prove e2e: all checks passed"
