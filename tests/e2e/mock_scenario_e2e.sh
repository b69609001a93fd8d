#!/usr/bin/env bash
# lemma-mock-server --scenario as a user runs it: scripted answers through the `lemma` command
# (whole and streamed, a 429 with Retry-After that lemma waits out, a 400 that it reports) and
# on the wire (curl: status, headers, n choices); then invalid scenario files, each refused
# with exit 2 and a message naming the file, the place and the key, before anything listens.
set -uo pipefail
server_bin=$1
lemma_bin=$2
source "$(dirname "$0")/mock_server.sh"
work=$mock_work
failures=0
passed=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { passed=$((passed + 1)); }
# check NAME TEXT FILE: the fixed string TEXT is in FILE
check() { grep -qF -- "$2" "$3" && pass || fail "$1: '$2' not in $(head -c 600 "$3")"; }

cat >"$work/scenario.json" <<'JSON'
{"comment": "e2e: lemma-mock-server --scenario",
 "rules": [
  {"match": {"user": "capital of (\\w+)"},
   "respond": {"content": "The capital of $1 is \\boxed{Paris}.", "reasoning": "Geography.",
               "usage": {"prompt_tokens": 7, "completion_tokens": 9}}},
  {"match": {"user": "busy", "request": 1},
   "respond": {"status": 429, "headers": {"retry-after": "1"},
               "error": {"message": "Rate limit reached for requests", "code": "rate_limit_exceeded"}}},
  {"match": {"user": "busy"}, "respond": {"content": "\\boxed{after the wait}"}},
  {"match": {"user": "too long"},
   "respond": {"status": 400, "error": {"message": "This prompt is too long for the mock.",
                                        "type": "invalid_request_error"}}},
  {"match": {"user": "sample"}, "respond": [{"content": "\\boxed{1}"}, {"content": "\\boxed{2}"}]}
 ]}
JSON

mock_server_start "$server_bin" --scenario "$work/scenario.json"
check started "(scenario $work/scenario.json)" "$work/server.log"
export LEMMA_BASE_URL="http://127.0.0.1:$mock_port/v1"
unset LEMMA_PROVIDER LEMMA_API_KEY AIMLAPI_API_KEY DATAOORTS_API_KEY
export LEMMA_MODEL=lemma-mock-math

for mode in --no-stream ""; do
  "$lemma_bin" chat $mode "What is the capital of France?" </dev/null >"$work/chat.out" 2>"$work/chat.err"
  [ $? -eq 0 ] && pass || fail "chat $mode: exit status"
  check "chat $mode" 'The capital of France is \boxed{Paris}.' "$work/chat.out"
  check "chat $mode" 'Geography.' "$work/chat.out"
done

# The 429 carries Retry-After: 1; lemma waits it out and the retry gets the next rule.
start=$(date +%s%N)
"$lemma_bin" chat --no-stream "Are you busy?" </dev/null >"$work/busy.out" 2>"$work/busy.err"
[ $? -eq 0 ] && pass || fail "busy: exit status $(cat "$work/busy.err")"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
check busy '\boxed{after the wait}' "$work/busy.out"
[ "$elapsed_ms" -ge 900 ] && pass || fail "busy: answered after $elapsed_ms ms, before Retry-After"

"$lemma_bin" chat --no-stream "This is too long" </dev/null >"$work/long.out" 2>"$work/long.err"
status=$?
[ $status -ne 0 ] && pass || fail "too long: exit status 0"
check "too long" "This prompt is too long for the mock." "$work/long.err"

# On the wire: n = 2 gives both responses of the list, and an error keeps its headers.
curl -s "$LEMMA_BASE_URL/chat/completions" -H 'Content-Type: application/json' \
  -d '{"model": "m", "n": 2, "messages": [{"role": "user", "content": "sample"}]}' >"$work/n.json"
python3 - "$work/n.json" <<'PY' && pass || fail "n=2: $(cat "$work/n.json")"
import json, sys
body = json.load(open(sys.argv[1]))
assert [c["message"]["content"] for c in body["choices"]] == ["\\boxed{1}", "\\boxed{2}"], body
assert [c["index"] for c in body["choices"]] == [0, 1], body
PY
cat >"$work/busy.json" <<'JSON'
{"rules": [{"respond": {"status": 429, "headers": {"retry-after": "7"}}}]}
JSON
mock_server_stop
mock_server_start "$server_bin" --scenario "$work/busy.json"
curl -s -i "http://127.0.0.1:$mock_port/v1/chat/completions" -H 'Content-Type: application/json' \
  -d '{"model": "m", "messages": [{"role": "user", "content": "x"}]}' | tr -d '\r' >"$work/429.txt"
check "429 status" "HTTP/1.1 429" "$work/429.txt"
check "429 header" "retry-after: 7" "$work/429.txt"
check "429 body" "scripted HTTP 429" "$work/429.txt"
mock_server_stop

# invalid NAME FILE-CONTENT TEXT...: the server refuses FILE with exit 2 naming every TEXT.
invalid() {
  local name=$1 content=$2
  shift 2
  printf '%s' "$content" >"$work/$name.json"
  rm -f "$work/$name.port"
  timeout 10 "$server_bin" --port 0 --port-file "$work/$name.port" --scenario "$work/$name.json" \
    >"$work/$name.out" 2>"$work/$name.err"
  local code=$?
  [ $code -eq 2 ] && pass || fail "$name: exit $code, expected 2"
  [ -e "$work/$name.port" ] && fail "$name: the server started" || pass
  check "$name" "lemma-mock-server: $work/$name.json: " "$work/$name.err"
  for text in "$@"; do check "$name" "$text" "$work/$name.err"; done
  [ "$(wc -l <"$work/$name.err")" -eq 1 ] && pass || fail "$name: not one line: $(cat "$work/$name.err")"
}
invalid unknown_key '{"rules": [{"respond": {}}, {"match": {"usr": "x"}, "respond": {}}]}' \
  'rules[1].match.usr: unknown key "usr"'
invalid bad_regex '{"rules": [{"match": {"user": "([a-z"}, "respond": {}}]}' \
  'rules[0].match.user: not a valid ECMAScript regular expression'
invalid wrong_type '{"rules": [{"respond": {"latency_ms": "fast"}}]}' \
  'rules[0].respond.latency_ms: expected an integer'
invalid bad_json $'{"rules": [\n  {"respond": {"content": "x"}},\n]}' 'not valid JSON at line 3'
rm -f "$work/missing.port"
timeout 10 "$server_bin" --port 0 --scenario "$work/missing.json" >/dev/null 2>"$work/missing.err"
[ $? -eq 2 ] && pass || fail "missing file: exit status"
check "missing file" "$work/missing.json: cannot read the scenario file" "$work/missing.err"

echo "e2e: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
