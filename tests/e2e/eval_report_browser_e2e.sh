#!/usr/bin/env bash
# The HTML report of `lemma eval` in a real headless browser (Chromium from Debian): a report
# rendered from a small hand-written run (one response and one group name try to inject markup)
# is loaded from a file with the network blocked; it must load without a console message (the
# page has no script, so any message is an error, e.g. a Content-Security-Policy violation), and
# the dumped DOM must show every number of summary.json with its exact value and the injected
# markup as text (eval_report_dom_check.py).
#
# usage: eval_report_browser_e2e.sh WRITER DOM_CHECK.py
# No browser: FAIL (scripts/setup installs chromium-headless-shell), unless
# LEMMA_ALLOW_NO_BROWSER=1, which skips (exit 77) with a message. LEMMA_BROWSER=PATH picks one;
# LEMMA_KEEP_WORK=1 keeps the run directory, report and dumped DOM (to look at the page).
set -uo pipefail
writer=$1
checker=$2
work=$(mktemp -d)
if [ -n "${LEMMA_KEEP_WORK:-}" ]; then echo "work directory: $work"; else trap 'rm -rf "$work"' EXIT; fi

source "$(dirname "$0")/browser.sh"
if ! find_browser; then
  if [ "${LEMMA_ALLOW_NO_BROWSER:-}" = 1 ]; then
    echo "SKIP: no headless Chromium (chromium-headless-shell or chromium) on PATH;" \
         "LEMMA_ALLOW_NO_BROWSER=1 allows skipping. Install it with scripts/setup."
    exit 77
  fi
  echo "FAIL: no headless Chromium (chromium-headless-shell or chromium) on PATH: run" \
       "scripts/setup (or apt-get install chromium-headless-shell), set LEMMA_BROWSER=PATH," \
       "or set LEMMA_ALLOW_NO_BROWSER=1 to skip this test locally."
  exit 1
fi
echo "browser: $browser"

run=$work/run
mkdir -p "$run"
cat >"$run/summary.json" <<'JSON'
{"model": "mock-a", "provider": "mock", "dataset": "sample.jsonl", "samples_per_problem": 2,
 "prompt_template": "{problem}\nPlease reason step by step, and put your final answer within \\boxed{}.",
 "created": "2026-11-25T17:00:00Z", "sampling": {"temperature": 0.6, "max_tokens": 4096},
 "overall": {"problems": 3, "samples": 6, "accuracy": 0.5, "accuracy_se": 0.2886751345948129,
             "pass_at_k": {"1": 0.5, "2": 0.6666666666666666},
             "pass_at_k_se": {"1": 0.2886751345948129, "2": 0.3333333333333333},
             "majority_at_k": {"1": 0.3333333333333333, "2": 0.6666666666666666},
             "no_answer_rate": 0.16666666666666666, "cutoff_rate": 0.16666666666666666,
             "error_rate": 0.16666666666666666},
 "groups": {"level": {
   "Level 1": {"problems": 2, "samples": 4, "accuracy": 0.75, "accuracy_se": 0.25,
               "pass_at_k": {"1": 0.75, "2": 1.0}, "pass_at_k_se": {"1": 0.25, "2": 0.0},
               "majority_at_k": {"1": 0.5, "2": 1.0},
               "no_answer_rate": 0.0, "cutoff_rate": 0.25, "error_rate": 0.0},
   "<img src=x onerror=alert(1)>": {"problems": 1, "samples": 2, "accuracy": 0.0,
               "accuracy_se": null, "pass_at_k": {"1": 0.0, "2": 0.0},
               "pass_at_k_se": {"1": null, "2": null}, "majority_at_k": {"1": 0.0, "2": 0.0},
               "no_answer_rate": 0.5, "cutoff_rate": 0.0, "error_rate": 0.5}}},
 "run": {"request_counts": {"total": 6, "completed": 5, "failed": 1},
         "success_rate": 0.8333333333333334,
         "latency_ms": {"p50": 812, "p90": 1900, "p99": 3200},
         "ttft_ms": null,
         "tokens": {"prompt": 306, "completion": 2412},
         "cost_usd": 0.0024,
         "elapsed_s": 61.2}}
JSON
cat >"$run/results.jsonl" <<'JSONL'
{"id":"p1","sample":0,"custom_id":"p1#0","extracted":"12","verdict":"equal","rule":"boxed","correct":true,"finish_reason":"stop","latency_ms":812,"ttft_ms":null,"prompt_tokens":51,"completion_tokens":402,"cost_usd":0.0004,"error":null,"reference":"12","fields":{"level":"Level 1"}}
{"id":"p1","sample":1,"custom_id":"p1#1","extracted":"12","verdict":"equal","rule":"boxed","correct":true,"finish_reason":"stop","latency_ms":700,"ttft_ms":null,"prompt_tokens":51,"completion_tokens":380,"cost_usd":0.0004,"error":null,"reference":"12","fields":{"level":"Level 1"}}
{"id":"p2","sample":0,"custom_id":"p2#0","extracted":"</td><script>alert(2)</script>","verdict":"not_equal","rule":"boxed","correct":false,"finish_reason":"stop","latency_ms":1900,"ttft_ms":null,"prompt_tokens":51,"completion_tokens":500,"cost_usd":0.0004,"error":null,"reference":"\\frac{1}{2}","fields":{"level":"Level 1"}}
{"id":"p2","sample":1,"custom_id":"p2#1","extracted":"\\frac{1}{2}","verdict":"equal","rule":"boxed","correct":true,"finish_reason":"length","latency_ms":3200,"ttft_ms":null,"prompt_tokens":51,"completion_tokens":730,"cost_usd":0.0004,"error":null,"reference":"\\frac{1}{2}","fields":{"level":"Level 1"}}
{"id":"p3","sample":0,"custom_id":"p3#0","extracted":null,"verdict":"not_equal","rule":"no_answer","correct":false,"finish_reason":"stop","latency_ms":900,"ttft_ms":null,"prompt_tokens":51,"completion_tokens":400,"cost_usd":0.0004,"error":null,"reference":"7","fields":{"level":"<img src=x onerror=alert(1)>"}}
{"id":"p3","sample":1,"custom_id":"p3#1","extracted":null,"verdict":null,"rule":null,"correct":false,"finish_reason":null,"latency_ms":null,"ttft_ms":null,"prompt_tokens":0,"completion_tokens":0,"cost_usd":null,"error":{"code":"server_error","message":"HTTP 500 <b>Internal</b>"},"reference":"7","fields":{"level":"<img src=x onerror=alert(1)>"}}
JSONL
injection='</script><script>alert(3)</script><img src=x onerror=alert(4)><iframe src="http://127.0.0.1:9/"></iframe>'
python3 - "$run/responses.jsonl" "$injection" <<'PY'
import json, sys
path, injection = sys.argv[1], sys.argv[2]
def line(custom_id, content, reasoning=None):
    message = {"role": "assistant", "content": content}
    if reasoning is not None:
        message["reasoning_content"] = reasoning
    return {"id": "batch_req_" + custom_id, "custom_id": custom_id,
            "response": {"status_code": 200, "request_id": "req-" + custom_id,
                         "body": {"choices": [{"index": 0, "message": message,
                                               "finish_reason": "stop"}]}},
            "error": None}
with open(path, "w", encoding="utf-8") as f:
    for record in (line("p1#0", "6 * 2 = 12, so \\boxed{12}.", "Multiply first."),
                   line("p1#1", "\\boxed{12}"),
                   line("p2#0", "Answer: \\boxed{" + injection + "}", "think " + injection),
                   line("p2#1", "x" * 30000 + " \\boxed{\\frac{1}{2}}"),
                   line("p3#0", "I do not know.")):
        f.write(json.dumps(record) + "\n")
PY

"$writer" "$run" >"$work/writer.txt" 2>&1 || { cat "$work/writer.txt"; echo "FAIL: the report writer failed"; exit 1; }
[ -s "$run/report.html" ] || { echo "FAIL: no report.html"; exit 1; }

dump_dom "$run/report.html" "$work/dom.html" "$work/browser.log"
status=$?
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
[ "$status" -eq 0 ] || fail "the browser exited with $status"
[ -s "$work/dom.html" ] || fail "the browser dumped no DOM"
if grep -E ':CONSOLE|Uncaught' "$work/browser.log"; then
  fail "the page logged to the browser console (above)"
fi
python3 "$checker" "$work/dom.html" "$run/summary.json" 'onerror=alert(4)><iframe' || \
  fail "the DOM check failed (above)"
grep -qF 'Cut after 20,000 characters: 10,020 more are in responses.jsonl.' "$work/dom.html" || \
  fail "the huge response was not cut with a note"
if [ "$failures" -ne 0 ]; then
  echo "--- browser log"; tail -n 30 "$work/browser.log"
  exit 1
fi
echo "PASS: the report renders in $(basename "$browser") and shows summary.json's numbers"
