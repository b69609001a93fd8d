# Sourced by the e2e scripts: lemma-mock-server on an ephemeral port, stopped on exit.
#
#   source mock_server.sh
#   mock_server_start BIN [OPTIONS...]   # sets mock_port and mock_work (a temporary folder)
#   mock_server_stop                     # also run on exit; safe to call twice

mock_server_pid=""
mock_work=$(mktemp -d)

mock_server_stop() {
  if [ -n "$mock_server_pid" ]; then
    kill "$mock_server_pid" 2>/dev/null || true
    wait "$mock_server_pid" 2>/dev/null || true
  fi
  mock_server_pid=""
}

mock_server_cleanup() {
  mock_server_stop
  rm -rf "$mock_work"
}
trap mock_server_cleanup EXIT

mock_server_start() {
  local bin=$1
  shift
  rm -f "$mock_work/port"
  "$bin" --port 0 --port-file "$mock_work/port" "$@" >"$mock_work/server.log" 2>&1 &
  mock_server_pid=$!
  # The server writes its port once it listens: another process, so a bounded poll.
  for _ in $(seq 1 100); do [ -s "$mock_work/port" ] && break; sleep 0.1; done
  [ -s "$mock_work/port" ] || { echo "mock server did not start"; cat "$mock_work/server.log"; exit 1; }
  mock_port=$(cat "$mock_work/port")
}
