#!/usr/bin/env bash
# Starts lemma-mock-server on an ephemeral port, runs the chat example against it and checks
# the answer, then stops the server.
set -euo pipefail
server_bin=$1
example_bin=$2
stream_bin=$3
providers_bin=$4
source "$(dirname "$0")/mock_server.sh"
mock_server_start "$server_bin"
port=$mock_port

output=$(LEMMA_BASE_URL="http://127.0.0.1:$port/v1" LEMMA_API_KEY="" LEMMA_MODEL=lemma-mock-math \
         "$example_bin" "What is 17 * 23?")
echo "$output"
grep -qF '\boxed{391}' <<<"$output" || { echo "FAIL: no boxed answer"; exit 1; }
grep -q '^Reasoning:' <<<"$output" || { echo "FAIL: no reasoning"; exit 1; }
grep -q '^Tokens: ' <<<"$output" || { echo "FAIL: no usage"; exit 1; }
grep -q '^Latency: ' <<<"$output" || { echo "FAIL: no latency"; exit 1; }

# LEMMA_PROVIDER=auto: the first call identifies the server (the mock is a generic one).
detected=$(LEMMA_PROVIDER=auto LEMMA_BASE_URL="http://127.0.0.1:$port/v1" LEMMA_MODEL=lemma-mock-math \
           "$example_bin" "What is 17 * 23?")
echo "$detected"
grep -qF '\boxed{391}' <<<"$detected" || { echo "FAIL: auto: no boxed answer"; exit 1; }
grep -q '^Answer (lemma-mock-math via generic)' <<<"$detected" || { echo "FAIL: auto: not identified"; exit 1; }

# Streaming: the stream example prints the same boxed answer, usage and time to first token.
streamed=$(LEMMA_BASE_URL="http://127.0.0.1:$port/v1" LEMMA_MODEL=lemma-mock-math \
           "$stream_bin" "What is 17 * 23?")
echo "$streamed"
grep -qF '\boxed{391}' <<<"$streamed" || { echo "FAIL: stream: no boxed answer"; exit 1; }
grep -q '^Tokens: ' <<<"$streamed" || { echo "FAIL: stream: no usage"; exit 1; }
grep -q '^Time to first token: ' <<<"$streamed" || { echo "FAIL: stream: no TTFT"; exit 1; }

# The providers table: the mock as a "generic" self-hosted server, with metrics.
table=$(env -u AIMLAPI_API_KEY -u DATAOORTS_API_KEY LEMMA_BASE_URL="http://127.0.0.1:$port/v1" \
        LEMMA_PROVIDER=generic LEMMA_MODEL=lemma-mock-math "$providers_bin" "What is 17 * 23?")
echo "$table"
grep -E '^generic +lemma-mock-math +\\boxed\{391\}' <<<"$table" >/dev/null || { echo "FAIL: providers table"; exit 1; }
grep -q '100.0%' <<<"$table" || { echo "FAIL: providers metrics"; exit 1; }

# Failure path: a dead endpoint makes the example exit 1 with the typed error's message.
mock_server_stop
set +e
failure=$(LEMMA_BASE_URL="http://127.0.0.1:$port/v1" LEMMA_MODEL=lemma-mock-math "$example_bin" 2>&1)
status=$?
set -e
echo "$failure"
[ "$status" -eq 1 ] || { echo "FAIL: expected exit 1, got $status"; exit 1; }
grep -q 'lemma connection error' <<<"$failure" || { echo "FAIL: error message missing"; exit 1; }
echo "e2e: 4 passed, 0 failed"
