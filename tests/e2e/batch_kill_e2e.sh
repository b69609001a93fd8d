#!/usr/bin/env bash
# `lemma batch` killed with SIGKILL part-way, then resumed (the issue's crash test), against
# lemma-mock-server with a model-like latency and a log of every request it received:
#   - every custom_id is exactly once across the output and errors files, and every line is a
#     whole JSON record (no torn line survives the resume);
#   - each answer is its own question's (the mock computes "i + 1000");
#   - no custom_id already in the output after the kill is sent again by the resumed run, and
#     each one that was not is sent exactly once.
set -uo pipefail
server_bin=$1
lemma_bin=$2
count=${3:-300}
source "$(dirname "$0")/mock_server.sh"
work=$mock_work
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }


mock_server_start "$server_bin" --delay-ms 40 --log-requests "$work/requests.log"
base_url="http://127.0.0.1:$mock_port/v1"

# The custom_id is at the end of the prompt, where the mock's arithmetic reader ignores it.
for i in $(seq 0 $((count - 1))); do
  printf '{"custom_id": "r%03d", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "lemma-mock-math", "messages": [{"role": "user", "content": "What is %d + 1000? (r%03d)"}]}}\n' \
    "$i" "$i" "$i"
done >"$work/input.jsonl"

# No key or provider from the caller's environment: the mock needs none. `env` execs lemma, so
# the background job's pid is lemma's own (a shell function would be a subshell, and killing it
# would leave lemma running).
batch=(env -u LEMMA_API_KEY -u LEMMA_PROVIDER -u AIMLAPI_API_KEY -u DATAOORTS_API_KEY
  "$lemma_bin" batch "$work/input.jsonl" "$work/output.jsonl" --base-url "$base_url"
  --model lemma-mock-math --concurrency 8)

# 1. Start, and SIGKILL once some results are on disk (another process: a bounded poll).
"${batch[@]}" >"$work/run1.log" 2>&1 &
pid=$!
for _ in $(seq 1 400); do
  [ -f "$work/output.jsonl" ] && [ "$(wc -l <"$work/output.jsonl")" -ge 40 ] && break
  sleep 0.025
done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
status=$?
[ "$status" -eq 137 ] || fail "the first run was not killed mid-run (exit $status)"
# Requests the killed process had already written may still reach the mock's log: let it settle
# so that they count as the first run's.
logged=-1
for _ in $(seq 1 50); do
  now=$(wc -l <"$work/requests.log")
  [ "$now" -eq "$logged" ] && break
  logged=$now
  sleep 0.1
done
cp "$work/output.jsonl" "$work/after_kill.jsonl"
touch "$work/output.errors.jsonl"
cp "$work/output.errors.jsonl" "$work/errors_after_kill.jsonl"
killed_at=$(wc -l <"$work/after_kill.jsonl")
logged_before=$(wc -l <"$work/requests.log")
echo "killed with $killed_at results written, $logged_before requests sent"
[ "$killed_at" -lt "$count" ] || fail "the run had finished before the kill: nothing tested"

# 2. Resume to the end.
"${batch[@]}" >"$work/run2.log" 2>&1
status=$?
cat "$work/run2.log"
[ "$status" -eq 0 ] || fail "resume: exit $status, expected 0"

# Every line a whole JSON record (jq stops at a torn or glued line), ending with a newline.
for file in output.jsonl output.errors.jsonl; do
  jq -e 'type == "object" and (.custom_id | type == "string")' "$work/$file" >/dev/null ||
    fail "$file: a line that is not a whole record"
  [ ! -s "$work/$file" ] || [ -z "$(tail -c 1 "$work/$file")" ] || fail "$file: no final newline"
done

# Every custom_id exactly once across both files.
ids() { cat "$@" | jq -r '.custom_id'; }
seq -f 'r%03g' 0 $((count - 1)) | sort >"$work/expected_ids"
ids "$work/output.jsonl" "$work/output.errors.jsonl" | sort >"$work/all_ids"
diff "$work/expected_ids" "$work/all_ids" >"$work/ids.diff" ||
  fail "custom_ids missing or duplicated: $(head -c 600 "$work/ids.diff")"
[ ! -s "$work/output.errors.jsonl" ] ||
  fail "the mock answers everything, yet: $(head -c 300 "$work/output.errors.jsonl")"

# Each answer is its own question's: rNNN asked NNN + 1000, the mock answers \boxed{NNN+1000}.
wrong=$(jq -r '[.custom_id, .response.body.choices[0].message.content] | @tsv' "$work/output.jsonl" |
  while IFS=$'\t' read -r id content; do
    n=$((10#${id#r}))
    grep -qF "\\boxed{$((n + 1000))}" <<<"$content" || echo "$id: $content"
  done | head -5)
[ -z "$wrong" ] || fail "answers that are not their own question's: $wrong"

# The resumed run sent exactly the ids that had no result, each once; none of the finished ones.
tail -n +"$((logged_before + 1))" "$work/requests.log" | grep -oE 'r[0-9]{3}' | sort >"$work/resent"
ids "$work/after_kill.jsonl" "$work/errors_after_kill.jsonl" | sort >"$work/finished"
again=$(comm -12 "$work/finished" "$work/resent")
[ -z "$again" ] || fail "finished before the kill yet sent again: $(echo $again | head -c 300)"
comm -23 <(sort "$work/expected_ids") "$work/finished" >"$work/unfinished"
diff "$work/unfinished" "$work/resent" >"$work/resent.diff" ||
  fail "the resume did not send each unfinished id exactly once: $(head -c 600 "$work/resent.diff")"

if [ "$failures" -ne 0 ]; then echo "batch kill e2e: $failures failed"; exit 1; fi
echo "batch kill e2e: killed at $killed_at/$count, resumed $(wc -l <"$work/resent") requests: all passed"
