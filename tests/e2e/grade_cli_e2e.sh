#!/usr/bin/env bash
# `lemma grade` as a user runs it: the example file, a file with malformed lines, OpenAI Batch
# output with --answers (and vLLM's string errors), standard input, and usage errors. Checks
# outputs, the stderr summary and the exit codes.
set -uo pipefail
lemma_bin=$1
sample=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect_line FILE ID PATTERN: the output line of ID matches PATTERN (fixed string).
expect_line() {
  local line
  line=$(grep -F "\"id\":\"$2\"" "$1") || { fail "$2: no output line"; return; }
  grep -qF -- "$3" <<<"$line" || fail "$2: expected $3 in: $line"
}

# 1. The example file: every line graded, exit 0, verdicts as documented.
"$lemma_bin" grade "$sample" --output "$work/out.jsonl" 2>"$work/err.txt"
status=$?
cat "$work/err.txt"
[ "$status" -eq 0 ] || fail "sample: exit $status, expected 0"
[ "$(wc -l <"$work/out.jsonl")" -eq "$(grep -c . "$sample")" ] || fail "sample: not one output line per input line"
expect_line "$work/out.jsonl" gsm8k-1 '"extracted":"72","verdict":"equal"'
expect_line "$work/out.jsonl" math-1 '"verdict":"equal"'
expect_line "$work/out.jsonl" math-2 '"extracted":"\\sqrt{12}","verdict":"equal"'
expect_line "$work/out.jsonl" math-3 '"verdict":"not_equal"'
expect_line "$work/out.jsonl" math-4 '"verdict":"not_equal"'
expect_line "$work/out.jsonl" zh-1 '"extracted":"\\frac{3}{4}","verdict":"equal"'
expect_line "$work/out.jsonl" r1-1 '"extracted":"5","verdict":"equal"'
expect_line "$work/out.jsonl" prose-1 '"extracted":null,"verdict":"not_equal","rule":"no_answer"'
expect_line "$work/out.jsonl" pred-2 '"verdict":"not_equal"'
head -c 15 "$work/out.jsonl" | grep -qF '{"id":"gsm8k-1"' || fail "sample: input fields not kept first"
grep -qF '12 graded' "$work/err.txt" || fail "sample: summary missing"
grep -qF '1 with no answer found' "$work/err.txt" || fail "sample: no-answer count missing"
grep -qF '0 could not be read' "$work/err.txt" || fail "sample: failure count missing"

# 2. Malformed lines: an error record naming each, the rest graded, exit 1.
printf '%s\n' \
  '{"id": "a", "answer": "2", "response": "\\boxed{2}"}' \
  'this is not json' \
  '' \
  '{"id": "b", "response": "\\boxed{2}"}' \
  '[1, 2]' \
  '{"id": "c", "answer": 3, "prediction": "3.0"}' \
  '{"id": "d", "answer": "3", "response": "\\boxed{3}", "prediction": "3"}' >"$work/bad.jsonl"
"$lemma_bin" grade "$work/bad.jsonl" >"$work/bad_out.jsonl" 2>"$work/bad_err.txt"
status=$?
cat "$work/bad_out.jsonl" "$work/bad_err.txt"
[ "$status" -eq 1 ] || fail "malformed: exit $status, expected 1"
grep -qF '{"line":2,"error":"not valid JSON"}' "$work/bad_out.jsonl" || fail "malformed: line 2 record"
grep -qF '{"line":4,"error":"no \"answer\" field' "$work/bad_out.jsonl" || fail "malformed: line 4 record"
grep -qF '{"line":5,"error":"not a JSON object"}' "$work/bad_out.jsonl" || fail "malformed: line 5 record"
grep -qF '{"line":7,"error":"each line needs exactly one of' "$work/bad_out.jsonl" || fail "malformed: line 7 record"
expect_line "$work/bad_out.jsonl" a '"verdict":"equal"'
expect_line "$work/bad_out.jsonl" c '"verdict":"equal"'
grep -qF 'lemma grade: line 2: not valid JSON' "$work/bad_err.txt" || fail "malformed: stderr names the line"
grep -qF '4 could not be read' "$work/bad_err.txt" || fail "malformed: summary count"

# 3. OpenAI Batch output with --answers, including vLLM's string error and an HTTP error.
cat >"$work/batch.jsonl" <<'JSONL'
{"id": "batch_req_1", "custom_id": "q1", "response": {"status_code": 200, "request_id": "r1", "body": {"object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": "So \\boxed{391}.", "reasoning_content": "\\boxed{390}"}, "finish_reason": "stop"}]}}, "error": null}
{"id": "batch_req_2", "custom_id": "q2", "response": {"status_code": 200, "body": {"choices": [{"index": 0, "message": {"role": "assistant", "content": "<think>long thought \\boxed{7}"}, "finish_reason": "length"}]}}, "error": null}
{"id": "vllm-3", "custom_id": "q3", "response": null, "error": "Request timed out"}
{"id": "batch_req_4", "custom_id": "q4", "response": {"status_code": 500, "body": {}}, "error": null}
{"id": "batch_req_5", "custom_id": "q5", "response": {"status_code": 200, "body": {"choices": [{"message": {"content": "The answer is 1."}, "finish_reason": "stop"}]}}, "error": null}
JSONL
printf '%s\n' '{"custom_id": "q1", "answer": "391"}' '{"custom_id": "q2", "answer": "7"}' \
  '{"custom_id": "q3", "answer": "1"}' '{"custom_id": "q4", "answer": "1"}' >"$work/answers.jsonl"
"$lemma_bin" grade "$work/batch.jsonl" --answers "$work/answers.jsonl" >"$work/batch_out.jsonl" 2>"$work/batch_err.txt"
status=$?
cat "$work/batch_out.jsonl" "$work/batch_err.txt"
[ "$status" -eq 1 ] || fail "batch: exit $status, expected 1"
expect_line "$work/batch_out.jsonl" batch_req_1 '"extracted":"391","verdict":"equal","rule":"string"'
expect_line "$work/batch_out.jsonl" batch_req_1 '"truncated":false'
expect_line "$work/batch_out.jsonl" batch_req_2 '"extracted":null,"verdict":"not_equal","rule":"no_answer"'
expect_line "$work/batch_out.jsonl" batch_req_2 '"truncated":true'
grep -qF '{"line":3,"error":"the request failed: Request timed out"}' "$work/batch_out.jsonl" || fail "batch: vLLM error record"
grep -qF '{"line":4,"error":"the request failed with HTTP status 500"}' "$work/batch_out.jsonl" || fail "batch: HTTP error record"
grep -qF '{"line":5,"error":"no answer for custom_id \"q5\"' "$work/batch_out.jsonl" || fail "batch: missing answer record"

# Batch output without --answers: every line an error that says what to pass.
"$lemma_bin" grade "$work/batch.jsonl" >"$work/noanswers_out.jsonl" 2>/dev/null
status=$?
[ "$status" -eq 1 ] || fail "batch without --answers: exit $status, expected 1"
grep -qF '{"line":1,"error":"no \"answer\" field; for OpenAI Batch output lines, give the answers with --answers FILE"}' \
  "$work/noanswers_out.jsonl" || fail "batch without --answers: hint"

# 4. Standard input, and "-".
printf '%s\n' '{"answer": "1/2", "prediction": "0.5"}' | "$lemma_bin" grade >"$work/stdin_out.jsonl" 2>/dev/null
status=$?
[ "$status" -eq 0 ] || fail "stdin: exit $status"
grep -qF '"verdict":"equal"' "$work/stdin_out.jsonl" || fail "stdin: verdict"
printf '%s\n' '{"answer": "1/2", "prediction": "0.6"}' | "$lemma_bin" grade - 2>/dev/null | grep -qF '"verdict":"not_equal"' || fail "stdin -: verdict"

# 5. Usage errors exit 2; --version and --help exit 0.
"$lemma_bin" grade "$work/does_not_exist.jsonl" >/dev/null 2>"$work/usage.txt"
status=$?
[ "$status" -eq 2 ] || fail "missing input: exit $status, expected 2"
grep -qF 'cannot open' "$work/usage.txt" || fail "missing input: message"
"$lemma_bin" grade --no-such-option "$sample" >/dev/null 2>&1
status=$?
[ "$status" -eq 2 ] || fail "unknown option: exit $status, expected 2"
"$lemma_bin" >/dev/null 2>&1
status=$?
[ "$status" -eq 2 ] || fail "no command: exit $status, expected 2"
"$lemma_bin" --version | grep -q '^lemma [0-9]' || fail "--version"
"$lemma_bin" grade --help | grep -qF 'Exit codes' || fail "grade --help"

if [ "$failures" -ne 0 ]; then echo "grade e2e: $failures failed"; exit 1; fi
echo "grade e2e: all passed"
