#!/usr/bin/env bash
# The `lemma` command's network commands as a user runs them, against lemma-mock-server and a
# small recording server (python3, below): --help and --version, chat streamed / whole / JSON /
# from standard input, the flags on the wire, the model taken from the server (and the error
# that lists several), exit codes, one error line on stderr, no API key in any output, Ctrl-C
# (exit 130, also when the command is blocked), a terminal's dimmed reasoning; and the chat
# example without LEMMA_MODEL.
set -uo pipefail
server_bin=$1
lemma_bin=$2
example_bin=$3
source "$(dirname "$0")/mock_server.sh"
work=$mock_work
failures=0
passed=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { passed=$((passed + 1)); }
key=sk-cli-SECRET-1234

# run NAME ARGS...: runs lemma with stdin from /dev/null; stdout in $work/NAME.out, stderr in
# $work/NAME.err, exit status in $status.
run() {
  local name=$1
  shift
  "$lemma_bin" "$@" </dev/null >"$work/$name.out" 2>"$work/$name.err"
  status=$?
}
# expect_status NAME CODE
expect_status() {
  if [ "$status" -eq "$2" ]; then pass; else
    fail "$1: exit $status, expected $2"
    sed 's/^/  stdout: /' "$work/$1.out"
    sed 's/^/  stderr: /' "$work/$1.err"
  fi
}
# expect_in NAME FILE-SUFFIX TEXT: the fixed string TEXT is in $work/NAME.SUFFIX
expect_in() { grep -qF -- "$3" "$work/$1.$2" && pass || fail "$1: '$3' not in $2: $(head -c 600 "$work/$1.$2")"; }
expect_not_in() { grep -qF -- "$3" "$work/$1.$2" && fail "$1: '$3' in $2" || pass; }
# expect_one_line NAME: stderr is exactly one line, starting with "lemma"
expect_one_line() {
  [ "$(wc -l <"$work/$1.err")" -eq 1 ] && grep -q '^lemma' "$work/$1.err" && pass ||
    fail "$1: expected one error line, got: $(cat "$work/$1.err")"
}

# --- usage: --help on every command, --version, bad flags ---------------------------------
for command in "" chat models health grade; do
  run help $command --help
  expect_status "help $command" 0
  expect_in help out "Usage:"
  expect_in help out "Example"
done
run version --version
expect_status version 0
grep -qE '^lemma [0-9]+\.[0-9]+\.[0-9]+$' "$work/version.out" && pass || fail "version: $(cat "$work/version.out")"
run badflag chat --no-such-flag "What is 2 + 2?"
expect_status badflag 2
expect_one_line badflag
expect_in badflag err "lemma chat:"
run nosub
expect_status nosub 2
expect_one_line nosub
run badnumber chat --temperature warm "x"
expect_status badnumber 2
expect_one_line badnumber

# --- against lemma-mock-server (one model, lemma-mock-math) --------------------------------
mock_server_start "$server_bin"
export LEMMA_BASE_URL="http://127.0.0.1:$mock_port/v1"
unset LEMMA_MODEL LEMMA_PROVIDER LEMMA_API_KEY AIMLAPI_API_KEY DATAOORTS_API_KEY

# Streamed (the default), piped: reasoning, the separator, the answer; no escape codes.
run stream chat "What is 17 * 23?"
expect_status stream 0
expect_in stream out "We need 17 * 23."
expect_in stream out "--- answer ---"
expect_in stream out '\boxed{391}'
grep -q $'\033' "$work/stream.out" && fail "stream: escape codes in piped output" || pass
# The model was not configured: the server's only model is used, and stderr says so.
expect_in stream err "using the model lemma-mock-math"

run whole chat --no-stream --model lemma-mock-math "What is 6 * 7?"
expect_status whole 0
expect_in whole out "We need 6 * 7."
expect_in whole out '\boxed{42}'
expect_not_in whole err "using the model"

run answeronly chat --no-reasoning "What is 6 * 7?"
expect_status answeronly 0
expect_in answeronly out '\boxed{42}'
expect_not_in answeronly out "We need"
expect_not_in answeronly out "--- answer ---"

# --json: the server's own JSON (--no-stream) and the encoded stream, one valid line each.
for mode in "--no-stream" ""; do
  run json chat --json $mode "What is 9 * 9?"
  expect_status "json $mode" 0
  python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
body = json.loads(lines[0])
assert body["object"] == "chat.completion", body
assert "\\boxed{81}" in body["choices"][0]["message"]["content"], body
assert body["usage"]["total_tokens"] > 0, body
' "$work/json.out" && pass || fail "json $mode: $(cat "$work/json.out")"
done

# The prompt from standard input, with - and with no argument.
echo "What is 12 * 12?" | "$lemma_bin" chat - >"$work/stdin.out" 2>"$work/stdin.err"
status=$?
expect_status stdin 0
expect_in stdin out '\boxed{144}'
echo "What is 11 * 11?" | "$lemma_bin" chat --no-stream >"$work/stdin2.out" 2>"$work/stdin2.err"
status=$?
expect_status stdin2 0
expect_in stdin2 out '\boxed{121}'
run emptyprompt chat -
expect_status emptyprompt 2
expect_one_line emptyprompt

# models and health.
run models models
expect_status models 0
[ "$(cat "$work/models.out")" = "lemma-mock-math" ] && pass || fail "models: $(cat "$work/models.out")"
run modelsjson models --json
expect_status modelsjson 0
python3 -c '
import json, sys
body = json.load(open(sys.argv[1]))
assert [m["id"] for m in body["data"]] == ["lemma-mock-math"], body
assert body["data"][0]["max_model_len"] == 4096, body
' "$work/modelsjson.out" && pass || fail "models --json: $(cat "$work/modelsjson.out")"
run health health
expect_status health 0
[ "$(cat "$work/health.out")" = "ok" ] && pass || fail "health: $(cat "$work/health.out")"

# A terminal (script(1) gives lemma a pseudo-terminal): the reasoning is dimmed (SGR 2), then
# reset before the answer.
if command -v script >/dev/null 2>&1; then
  script -qec "'$lemma_bin' chat 'What is 3 * 5?'" /dev/null </dev/null >"$work/tty.out" 2>&1
  grep -qF $'\033[2mWe need 3 * 5.' "$work/tty.out" && pass || fail "tty: reasoning not dimmed: $(cat -v "$work/tty.out")"
  grep -qF $'\033[0m' "$work/tty.out" && pass || fail "tty: dimming not reset"
fi

# The chat example without LEMMA_MODEL asks the server for its model too.
"$example_bin" "What is 17 * 23?" >"$work/example.out" 2>"$work/example.err"
status=$?
expect_status example 0
expect_in example out '\boxed{391}'

# Ctrl-C mid-stream: a slow stream (200 ms a chunk), SIGINT once the first text arrived.
mock_server_stop
mock_server_start "$server_bin" --chunk-delay-ms 200
export LEMMA_BASE_URL="http://127.0.0.1:$mock_port/v1"
"$lemma_bin" chat "What is 17 * 23?" </dev/null >"$work/sigint.out" 2>"$work/sigint.err" &
pid=$!
# Another process: a bounded poll for its first output.
for _ in $(seq 1 100); do [ -s "$work/sigint.out" ] && break; sleep 0.1; done
kill -INT "$pid"
wait "$pid"
status=$?
expect_status sigint 130
expect_in sigint err "lemma chat: interrupted"
expect_not_in sigint out '\boxed{391}'

# --timeout limits a whole stream: it breaks off part-way, what arrived is printed, exit 1.
run slow chat --model lemma-mock-math --timeout 2 "What is 17 * 23?"
expect_status slow 1
expect_one_line slow
expect_in slow err "lemma chat: timeout error"
expect_in slow out "We need"

# Ctrl-C while blocked reading the prompt: the first signal only asks to stop, a second one
# exits at once. Standard input (a fifo) stays open for 60 s; SIGINT is repeated until lemma
# exits.
mkfifo "$work/stdin.fifo"
sleep 60 >"$work/stdin.fifo" &
sleeper=$!
start=$SECONDS
"$lemma_bin" chat - <"$work/stdin.fifo" >"$work/sigint2.out" 2>"$work/sigint2.err" &
pid=$!
# Signals go to lemma only once it blocks SIGINT (bit 2 of SigBlk): before that, the default
# action would end it with the same status and prove nothing.
for _ in $(seq 1 100); do
  mask=$(awk '/^SigBlk:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
  [ -n "$mask" ] && [ $((16#$mask & 2)) -ne 0 ] && break
  sleep 0.1
done
for _ in $(seq 1 50); do
  kill -INT "$pid" 2>/dev/null || break
  sleep 0.2
done
wait "$pid"
status=$?
kill "$sleeper" 2>/dev/null
wait "$sleeper" 2>/dev/null
expect_status sigint2 130
[ $((SECONDS - start)) -lt 30 ] && pass || fail "sigint while reading: took $((SECONDS - start)) s"

# lemma grade stops between lines on Ctrl-C: signalled while it waits for its first line, it
# writes nothing more and exits 130 once the line arrives.
mkfifo "$work/grade.fifo"
"$lemma_bin" grade - <"$work/grade.fifo" >"$work/gradeint.out" 2>"$work/gradeint.err" &
pid=$!
exec 7>"$work/grade.fifo"
for _ in $(seq 1 100); do
  mask=$(awk '/^SigBlk:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
  [ -n "$mask" ] && [ $((16#$mask & 2)) -ne 0 ] && break
  sleep 0.1
done
kill -INT "$pid"
# Taken by lemma's sigwait() once no longer pending (ShdPnd, bit 2).
for _ in $(seq 1 100); do
  pending=$(awk '/^ShdPnd:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
  [ -n "$pending" ] && [ $((16#$pending & 2)) -eq 0 ] && break
  sleep 0.1
done
echo '{"answer": "4", "prediction": "4"}' >&7
exec 7>&-
wait "$pid"
status=$?
expect_status gradeint 130
expect_in gradeint err "interrupted before line 1"
[ -s "$work/gradeint.out" ] && fail "gradeint: graded after the interrupt" || pass

# --- an API key through --api-key-env ------------------------------------------------------
mock_server_stop
mock_server_start "$server_bin" --api-key "$key"
export LEMMA_BASE_URL="http://127.0.0.1:$mock_port/v1"
MY_LEMMA_KEY=$key run keyed chat --api-key-env MY_LEMMA_KEY "What is 2 + 2?"
expect_status keyed 0
expect_in keyed out '\boxed{4}'
MY_LEMMA_KEY=sk-cli-SECRET-9999 run wrongkey chat --api-key-env MY_LEMMA_KEY --model lemma-mock-math "x"
expect_status wrongkey 2
expect_one_line wrongkey
expect_in wrongkey err "authentication"
run nokey models --api-key-env MY_LEMMA_KEY
expect_status nokey 2
expect_one_line nokey
expect_in nokey err '$MY_LEMMA_KEY is not set'
# A key where a name belongs, or as a literal flag, is refused without being repeated.
run keyasname chat --api-key-env "$key" "x"
expect_status keyasname 2
expect_one_line keyasname
run literal chat --api-key "$key" "x"
expect_status literal 2
expect_one_line literal
expect_in literal err "--api-key is not accepted"
if grep -rl -e "$key" -e sk-cli-SECRET-9999 "$work"/*.out "$work"/*.err; then
  fail "an API key appears in the output above"
else
  pass
fi

# --- a recording server: the flags on the wire; several models --------------------------------
cat >"$work/recorder.py" <<'EOF'
# Serves two models; answers a chat request with its own request body as the content (so the
# test reads what lemma sent) and logs every request line.
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = open(sys.argv[2], "a")

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        log.write("GET " + self.path + "\n"); log.flush()
        self.reply({"object": "list", "data": [{"id": "math-7b", "object": "model"},
                                               {"id": "prover-v2", "object": "model"}]})

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        log.write("POST " + self.path + "\n"); log.flush()
        message = {"role": "assistant", "content": body}
        self.reply({"id": "rec-1", "object": "chat.completion", "created": 0,
                    "model": json.loads(body)["model"],
                    "choices": [{"index": 0, "message": message, "finish_reason": "length"}]})

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
EOF
python3 "$work/recorder.py" "$work/recorder.port" "$work/recorder.log" &
recorder=$!
trap 'kill $recorder 2>/dev/null; mock_server_cleanup' EXIT
for _ in $(seq 1 100); do [ -s "$work/recorder.port" ] && break; sleep 0.1; done
export LEMMA_BASE_URL="http://127.0.0.1:$(cat "$work/recorder.port")/v1"

run several chat "x"
expect_status several 2
expect_one_line several
expect_in several err "2 models: math-7b, prover-v2"

run flags chat --no-stream --no-reasoning --model prover-v2 --system "Be brief." \
  --temperature 0.25 --top-p 0.5 --top-k 7 --max-tokens 99 --seed 5 --stop "###" --stop END \
  -n 1 --extra '{"min_p": 0.05, "chat_template_kwargs": {"thinking": true}}' "What is 1 + 1?"
expect_status flags 0
python3 -c '
import json, sys
sent = json.loads(open(sys.argv[1]).read())
assert sent["model"] == "prover-v2", sent
assert sent["messages"] == [{"role": "system", "content": "Be brief."},
                            {"role": "user", "content": "What is 1 + 1?"}], sent
assert sent["temperature"] == 0.25 and sent["top_p"] == 0.5 and sent["top_k"] == 7, sent
assert sent["max_tokens"] == 99 and sent["seed"] == 5 and sent["n"] == 1, sent
assert sent["stop"] == ["###", "END"], sent
assert sent["min_p"] == 0.05 and sent["chat_template_kwargs"] == {"thinking": True}, sent
assert not sent.get("stream"), sent
' "$work/flags.out" && pass || fail "flags on the wire: $(cat "$work/flags.out")"
# finish_reason "length" is pointed out on stderr.
expect_in flags err "cut off by the token limit"

# Bad --extra: exit 2 before anything is sent.
requests_before=$(wc -l <"$work/recorder.log")
run badextra chat --model m --extra '{"min_p": ' "x"
expect_status badextra 2
expect_one_line badextra
expect_in badextra err "--extra"
run extraarray chat --model m --extra '[1, 2]' "x"
expect_status extraarray 2
# A request lemma refuses (here max_tokens 0) is refused before the model lookup, too.
run badrequest chat --max-tokens 0 "x"
expect_status badrequest 2
expect_one_line badrequest
expect_in badrequest err "max_tokens"
[ "$(wc -l <"$work/recorder.log")" -eq "$requests_before" ] && pass || fail "bad input: a request was sent"

# --- an unreachable server: exit 3, one line --------------------------------------------------
kill "$recorder" 2>/dev/null
wait "$recorder" 2>/dev/null
mock_server_stop
run down chat --model m "x"
expect_status down 3
expect_one_line down
expect_in down err "lemma chat: connection error"
run downmodel chat "x"
expect_status downmodel 3
expect_one_line downmodel
run downhealth health
expect_status downhealth 3
expect_one_line downhealth
run downmodels models
expect_status downmodels 3
expect_one_line downmodels

echo "cli e2e: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
