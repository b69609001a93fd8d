#!/usr/bin/env bash
# `lemma eval` on examples/data/sample.jsonl against lemma-mock-server playing
# examples/data/sample_scenario.json: the summary equals the one examples/data/README.md works
# out by hand (overall, every group, the run's counts and tokens); the run directory's files;
# its report in a headless browser;
# a re-run sends nothing and changes nothing; --compare; usage errors; no key in any output.
set -euo pipefail
server_bin=$1
lemma_bin=$2
data_dir=$3
dom_check=$4
source "$(dirname "$0")/mock_server.sh"
source "$(dirname "$0")/browser.sh"
mock_server_start "$server_bin" --scenario "$data_dir/sample_scenario.json" \
  --log-requests "$mock_work/requests.log"
work=$mock_work
export LEMMA_BASE_URL="http://127.0.0.1:$mock_port/v1" LEMMA_MODEL=lemma-mock-math
export LEMMA_API_KEY="sk-e2e-SECRET-eval"
unset LEMMA_PROVIDER AIMLAPI_API_KEY DATAOORTS_API_KEY || true
fail() { echo "FAIL: $*"; exit 1; }
run_eval() {
  "$lemma_bin" eval "$data_dir/sample.jsonl" --output "$work/out" --samples 4 \
    --sample-mode separate --concurrency 1 --group-by level --group-by subject "$@"
}

# One permanent HTTP 400 among 80 requests: exit 1, every file written.
set +e
run_eval >"$work/run1.out" 2>"$work/run1.err"
status=$?
set -e
cat "$work/run1.out" "$work/run1.err"
[ "$status" -eq 1 ] || fail "expected exit 1 (one failed request), got $status"
for f in requests.jsonl answers.jsonl responses.jsonl responses.errors.jsonl results.jsonl summary.json report.html; do
  [ -s "$work/out/$f" ] || fail "missing $f"
done
grep -q "accuracy *61.3% ± 7.4" "$work/run1.out" || fail "the printed table"
grep -q "report: *$work/out/report.html" "$work/run1.out" || fail "the report path"
[ "$(wc -l <"$work/requests.log")" -eq 80 ] || fail "expected 80 requests sent"

python3 - "$work/out" <<'PY'
import json, math, sys
out = sys.argv[1]
s = json.load(open(f"{out}/summary.json"))
def close(a, b, what):
    assert a is not None and math.isclose(a, b, rel_tol=0, abs_tol=1e-7), f"{what}: {a} != {b}"
def group(g, problems, samples, acc, passk, majk, no_answer, cutoff, errors, acc_se=None, pass_se=None):
    assert g["problems"] == problems and g["samples"] == samples, g
    close(g["accuracy"], acc, "accuracy")
    for k, v in enumerate(passk, 1): close(g["pass_at_k"][str(k)], v, f"pass@{k}")
    for k, v in enumerate(majk, 1): close(g["majority_at_k"][str(k)], v, f"maj@{k}")
    close(g["no_answer_rate"], no_answer, "no answer"); close(g["cutoff_rate"], cutoff, "cut off")
    close(g["error_rate"], errors, "errors")
    if acc_se is not None: close(g["accuracy_se"], acc_se, "accuracy se")
    for k, v in enumerate(pass_se or [], 1): close(g["pass_at_k_se"][str(k)], v, f"pass@{k} se")
# The numbers of examples/data/README.md, "The expected summary".
group(s["overall"], 20, 80, 49/80, [0.6125, 19/24, 67/80, 17/20], [0.75, 0.75, 0.75, 0.80],
      7/80, 1/80, 1/80, 0.0736166, [0.0736166, 0.0809980, 0.0816664, 0.0819178])
L, S = s["groups"]["level"], s["groups"]["subject"]
group(L["Level 1"], 8, 32, 0.8125, [0.8125, 0.9375, 0.96875, 1], [0.75, 0.75, 0.875, 0.875], 0, 0, 0, 0.0914906)
group(L["Level 2"], 8, 32, 0.4375, [0.4375, 0.6041667, 0.625, 0.625], [0.625] * 4, 0.15625, 0, 0.03125, 0.1315261)
group(L["Level 3"], 4, 16, 0.5625, [0.5625, 0.875, 1, 1], [1, 1, 0.75, 1], 0.125, 0.0625, 0, 0.0625)
group(S["Algebra"], 8, 32, 0.6875, [0.6875, 0.9375, 1, 1], [0.875, 0.875, 1, 1], 0.09375, 0.03125, 0, 0.0625)
group(S["Geometry"], 6, 24, 0.5416667, [0.5416667, 0.7222222, 0.7916667, 0.8333333],
      [0.6666667, 0.6666667, 0.5, 0.6666667], 0, 0, 0, 0.1502313)
group(S["Number Theory"], 6, 24, 0.5833333, [0.5833333, 0.6666667, 0.6666667, 0.6666667],
      [0.6666667] * 4, 0.1666667, 0, 0.0416667, 0.1900292)
r = s["run"]
assert r["request_counts"] == {"total": 80, "completed": 79, "failed": 1}, r["request_counts"]
close(r["success_rate"], 79/80, "success rate")
assert r["tokens"] == {"prompt": 3950, "completion": 5814}, r["tokens"]
assert r["latency_ms"]["p50"] >= 0 and r["ttft_ms"] is None and r["cost_usd"] is None, r
assert s["model"] == "lemma-mock-math" and s["dataset"] == "sample.jsonl", s["model"]
assert s["samples_per_problem"] == 4 and s["sample_mode"] == "separate" and s["complete"] is True
assert s["dataset_errors"] == [], s["dataset_errors"]
assert "Please reason step by step" in s["prompt_template"]
# results.jsonl: one line per sample; the failed one names its error.
lines = [json.loads(l) for l in open(f"{out}/results.jsonl")]
assert len(lines) == 80 and len({(l["id"], l["sample"]) for l in lines}) == 80
failed = [l for l in lines if l["error"] is not None]
assert [(l["id"], l["sample"]) for l in failed] == [("divisor-count", 2)], failed
assert failed[0]["error"]["code"] == "invalid_request", failed[0]
slope = {l["sample"]: l for l in lines if l["id"] == "line-slope"}
assert slope[1]["extracted"] == "0.5" and slope[1]["correct"] is True, slope[1]
cut = [l for l in lines if l["finish_reason"] == "length"]
assert [(l["id"], l["sample"]) for l in cut] == [("inverse-function", 3)], cut
# requests.jsonl is an OpenAI Batch input file.
reqs = [json.loads(l) for l in open(f"{out}/requests.jsonl")]
assert len(reqs) == 80 and reqs[0]["custom_id"] == "rect-width#0" and reqs[0]["url"] == "/v1/chat/completions"
assert reqs[0]["body"]["model"] == "lemma-mock-math"
report = open(f"{out}/report.html").read()
assert 'data-summary="/overall/accuracy" data-value="0.6125"' in report, "report numbers"
PY

# The report of this real run in a headless browser: no console message, every number of
# summary.json shown with its exact value.
if find_browser; then
  dump_dom "$work/out/report.html" "$work/dom.html" "$work/browser.log" || fail "the browser failed"
  if grep -E ':CONSOLE|Uncaught' "$work/browser.log"; then fail "the report logged to the console"; fi
  python3 "$dom_check" "$work/dom.html" "$work/out/summary.json" "line-slope" || fail "DOM check"
elif [ "${LEMMA_ALLOW_NO_BROWSER:-}" != 1 ]; then
  fail "no headless Chromium: run scripts/setup, or set LEMMA_ALLOW_NO_BROWSER=1"
fi

# The run's Batch output graded elsewhere with `lemma grade --answers`: the same 49 right.
"$lemma_bin" grade "$work/out/responses.jsonl" --answers "$work/out/answers.jsonl" \
  -o "$work/graded.jsonl" 2>"$work/grade.err" || { cat "$work/grade.err"; fail "lemma grade"; }
grep -q "79 graded, .*(49 equal" "$work/grade.err" || { cat "$work/grade.err"; fail "lemma grade on the output"; }

# A re-run resumes: nothing is sent again and the summary's statistics stay the same.
cp "$work/out/summary.json" "$work/summary1.json"
set +e
run_eval >"$work/run2.out" 2>"$work/run2.err"
status=$?
set -e
[ "$status" -eq 1 ] || fail "re-run: expected exit 1 (the failure is still recorded), got $status"
[ "$(wc -l <"$work/requests.log")" -eq 80 ] || fail "the re-run sent requests again"
python3 - "$work/summary1.json" "$work/out/summary.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["overall"] == b["overall"] and a["groups"] == b["groups"], "statistics changed on re-run"
assert a["run"]["request_counts"] == b["run"]["request_counts"]
assert b["run"]["elapsed_s"] >= a["run"]["elapsed_s"], "elapsed time is accumulated"
PY

# The same directory with other settings is refused before anything is sent.
set +e
"$lemma_bin" eval "$data_dir/sample.jsonl" --output "$work/out" --samples 2 >/dev/null 2>"$work/other.err"
status=$?
set -e
[ "$status" -eq 2 ] || fail "another run's directory: expected exit 2, got $status"
grep -q "holds another run" "$work/other.err" || fail "another run's message"
[ "$(wc -l <"$work/requests.log")" -eq 80 ] || fail "a refused run sent requests"

# --compare: one column per run directory.
"$lemma_bin" eval --compare "$work/out" "$work/out" >"$work/compare.out"
grep -q "accuracy *61.3% ± 7.4 *61.3% ± 7.4" "$work/compare.out" || { cat "$work/compare.out"; fail "--compare"; }

# Usage errors.
set +e
"$lemma_bin" eval "$data_dir/sample.jsonl" >/dev/null 2>"$work/usage.err"; s1=$?
"$lemma_bin" eval --compare "$work/nope" >/dev/null 2>>"$work/usage.err"; s2=$?
"$lemma_bin" eval "$data_dir/sample.jsonl" --output "$work/x" --compare "$work/out" >/dev/null 2>>"$work/usage.err"; s3=$?
"$lemma_bin" eval "$data_dir/sample.jsonl" --output "$work/x" --extra '[1' >/dev/null 2>>"$work/usage.err"; s4=$?
set -e
[ "$s1" -eq 2 ] && [ "$s2" -eq 2 ] && [ "$s3" -eq 2 ] && [ "$s4" -eq 2 ] || fail "usage exit codes: $s1 $s2 $s3 $s4"
grep -q -- "--output" "$work/usage.err" || fail "usage: --output is named"
[ ! -e "$work/x" ] || fail "a refused run created its directory"

# n sampling (the plain mock returns n choices): every choice is a sample, and `lemma grade
# --answers` grades every choice of the run's output too.
mock_server_stop
mock_server_start "$server_bin"
export LEMMA_BASE_URL="http://127.0.0.1:$mock_port/v1"
printf '%s\n' '{"id": "a", "problem": "What is 2 + 3?", "answer": "5"}' \
  '{"id": "b", "problem": "What is 6 * 7?", "answer": 41}' >"$work/arith.jsonl"
set +e
"$lemma_bin" eval "$work/arith.jsonl" --output "$work/n" --samples 3 >"$work/n.out" 2>"$work/n.err"
status=$?
set -e
[ "$status" -eq 0 ] || { cat "$work/n.err"; fail "n sampling: exit $status"; }
python3 - "$work/n" <<'PY'
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
assert s["sample_mode"] == "n" and s["overall"]["samples"] == 6, s["overall"]
assert s["run"]["request_counts"]["total"] == 2, s["run"]
assert abs(s["overall"]["accuracy"] - 0.5) < 1e-12, s["overall"]["accuracy"]
PY
"$lemma_bin" grade "$work/n/responses.jsonl" --answers "$work/n/answers.jsonl" \
  -o "$work/n_graded.jsonl" 2>"$work/n_grade.err"
grep -q "6 graded, accuracy 50.0% (3 equal" "$work/n_grade.err" || { cat "$work/n_grade.err"; fail "grade of n output"; }

# The key never appears in any output or file.
if grep -rq "SECRET" "$work"/*.out "$work"/*.err "$work/out" "$work/n"; then fail "the API key leaked"; fi
echo "eval e2e: all checks passed"
