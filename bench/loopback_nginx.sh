# Sourced by bench/run_http_bench and bench/run_async_bench: nginx on loopback with fixed
# answers, so that only the client differs between peers and the server is never the bottleneck.
#
#   source bench/loopback_nginx.sh
#   loopback_nginx_start CORE     # nginx's one worker pinned to CORE; sets nginx_port, nginx_work
#   ...   BASE=http://127.0.0.1:$nginx_port
#         BASE/whole/v1/chat/completions   a fixed ~1 KB completion (any request)
#         BASE/sse/v1/chat/completions     a fixed 200-chunk stream + finish + usage + [DONE]
#   loopback_nginx_stop           # also safe when start failed half-way (call it from a trap)
#
# Needs nginx (Debian's nginx-light; installed here when missing) and python3.

loopback_nginx_start() {
  local core=${1:-0}
  if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      nginx-light
  fi
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
  nginx_work=$(mktemp -d)
  chmod 755 "$nginx_work" # nginx workers run as another user and must read the stream file
  # A random port may be taken: up to five tries.
  local attempt
  for attempt in 1 2 3 4 5; do
    nginx_port=$((20000 + RANDOM % 20000))
    loopback_nginx_write_config "$core"
    # The master stays on its worker's core: the client's core is left to the client.
    taskset -c "$core" "$nginx_bin" -c "$nginx_work/nginx.conf" -e "$nginx_work/error.log" \
      2>/dev/null && break
    [ "$attempt" = 5 ] && { echo "nginx did not start: $(tail -1 "$nginx_work/error.log")" >&2; return 1; }
  done
  local _
  for _ in $(seq 50); do
    [ -f "$nginx_work/nginx.pid" ] && break
    sleep 0.1
  done
  [ -f "$nginx_work/nginx.pid" ] || { echo "nginx did not start (see $nginx_work/error.log)" >&2; return 1; }
  nginx_version=$("$nginx_bin" -v 2>&1 | cut -d/ -f2)
}

# nginx.conf and the stream file for nginx_port into nginx_work.
loopback_nginx_write_config() {
  python3 - "$nginx_work" "$nginx_port" "$1" <<'PY'
import json, sys
work, port, core = sys.argv[1], sys.argv[2], int(sys.argv[3])
answer = ("We compute step by step. 1 + 1 = 2, since the successor of 1 is 2. " * 12).strip()
whole = json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion", "created": 1748000000, "model": "bench",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": answer},
                 "logprobs": None, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 240, "total_tokens": 252}})
chunks = []
words = ["Let", " n", " be", " an", " integer.", " Then", " n^2", " -", " n", " is", " even"]
for i in range(200):
    chunks.append("data: " + json.dumps({
        "id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1748000000,
        "model": "bench", "choices": [{"index": 0, "delta": {"content": words[i % len(words)]},
                                       "logprobs": None, "finish_reason": None}]}) + "\n\n")
chunks.append("data: " + json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1748000000,
    "model": "bench", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}) + "\n\n")
chunks.append("data: " + json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1748000000,
    "model": "bench", "choices": [],
    "usage": {"prompt_tokens": 12, "completion_tokens": 200, "total_tokens": 212}}) + "\n\n")
chunks.append("data: [DONE]\n\n")
sse = "".join(chunks)
assert "'" not in whole and "$" not in whole
# nginx's `return` takes at most 4 KiB: the stream is a static file; static files refuse POST
# (405), so error_page re-serves it as a GET with status 200.
open(f"{work}/stream.sse", "w").write(sse)
affinity = format(1 << core, "b")
conf = f"""
worker_processes 1;
worker_cpu_affinity {affinity};
worker_rlimit_nofile 16384;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  client_body_temp_path {work}/body; proxy_temp_path {work}/proxy;
  fastcgi_temp_path {work}/fastcgi; uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 600s;
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location = /whole/v1/chat/completions {{ default_type application/json; return 200 '{whole}'; }}
    location = /sse/v1/chat/completions {{
      default_type text/event-stream; alias {work}/stream.sse; error_page 405 =200 $uri;
    }}
  }}
}}
"""
open(f"{work}/nginx.conf", "w").write(conf)
PY
}

loopback_nginx_stop() {
  if [ -n "${nginx_work:-}" ]; then
    [ -f "$nginx_work/nginx.pid" ] && kill "$(cat "$nginx_work/nginx.pid")" 2>/dev/null
    rm -rf "$nginx_work"
    nginx_work=""
  fi
  return 0
}
