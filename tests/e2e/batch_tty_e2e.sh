#!/usr/bin/env bash
# The progress display of `lemma batch` as a user sees it:
#   - on a terminal (a pseudo-terminal from util-linux's `script`, 60 columns): the bar is
#     redrawn in place (\r + ESC[2K), never wider than the terminal, then cleared for the
#     summary;
#   - piped (CI logs): not one escape byte, plain "lemma batch: N/M done" lines and the summary.
set -uo pipefail
server_bin=$1
lemma_bin=$2
source "$(dirname "$0")/mock_server.sh"
work=$mock_work
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

command -v script >/dev/null 2>&1 || { echo "FAIL: script (util-linux, Debian bsdutils) is missing"; exit 1; }

# About 1.5 s of work: several progress reports (every 500 ms) before the end.
mock_server_start "$server_bin" --delay-ms 60
base_url="http://127.0.0.1:$mock_port/v1"
for i in $(seq 0 99); do
  printf '{"custom_id": "t%03d", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "lemma-mock-math", "messages": [{"role": "user", "content": "What is %d + 1?"}]}}\n' \
    "$i" "$i"
done >"$work/input.jsonl"

batch_command() {
  printf 'env -u LEMMA_API_KEY -u LEMMA_PROVIDER -u AIMLAPI_API_KEY -u DATAOORTS_API_KEY %q batch %q %q --base-url %q --model lemma-mock-math --concurrency 4' \
    "$lemma_bin" "$work/input.jsonl" "$work/$1" "$base_url"
}

# 1. On a terminal. `script` runs the command on a new pseudo-terminal and copies everything it
#    writes (stdout and stderr) to its own stdout.
script -qfec "stty cols 60 rows 24; $(batch_command tty_out.jsonl)" /dev/null \
  </dev/null >"$work/tty.txt" 2>&1
status=$?
[ "$status" -eq 0 ] || { cat "$work/tty.txt"; fail "terminal run: exit $status"; }
redraws=$(grep -ao $'\r\033\\[2K' "$work/tty.txt" | wc -l)
[ "$redraws" -ge 2 ] || fail "terminal run: expected the bar redrawn with \\r ESC[2K, found $redraws redraws"
# The bars: what follows each erase, up to the next carriage return or newline.
tr '\r' '\n' <"$work/tty.txt" | sed -n $'s/^\033\\[2K//p' | grep -F '/100' >"$work/bars.txt"
[ -s "$work/bars.txt" ] || fail "terminal run: no bar with a done/total count"
grep -qE '^[0-9]+/100 +[0-9]+% \[[#.]+\]' "$work/bars.txt" || fail "terminal run: no drawn bar: $(head -3 "$work/bars.txt")"
grep -q '^100/100 100%' "$work/bars.txt" || fail "terminal run: the bar never reached 100/100"
too_wide=$(awk 'length($0) > 59' "$work/bars.txt" | head -3)
[ -z "$too_wide" ] || fail "terminal run: bar wider than 59 of 60 columns: $too_wide"
grep -q 'requests: 100 completed' "$work/tty.txt" || fail "terminal run: no summary"
[ "$(wc -l <"$work/tty_out.jsonl")" -eq 100 ] || fail "terminal run: not 100 results"

# 2. Piped: plain lines, no escapes at all.
eval "$(batch_command pipe_out.jsonl)" </dev/null 2>&1 | cat >"$work/pipe.txt"
status=${PIPESTATUS[0]}
cat "$work/pipe.txt"
[ "$status" -eq 0 ] || fail "piped run: exit $status"
if grep -q $'\033' "$work/pipe.txt"; then fail "piped run: escape bytes in the output"; fi
if grep -q $'\r' "$work/pipe.txt"; then fail "piped run: carriage returns in the output"; fi
grep -qE '^lemma batch: 100/100 done \(0 failed\), [0-9.]+ req/s, ETA 0s, [0-9,]+ tokens' "$work/pipe.txt" ||
  fail "piped run: no plain progress line"
grep -q 'requests: 100 completed' "$work/pipe.txt" || fail "piped run: no summary"

if [ "$failures" -ne 0 ]; then
  echo "--- terminal output (escapes shown) ---"
  cat -v "$work/tty.txt" | head -c 3000
  echo "batch tty e2e: $failures failed"
  exit 1
fi
echo "batch tty e2e: $redraws redraws on a 60-column terminal, plain lines when piped: all passed"
