# Sourced by the e2e scripts that load lemma's HTML report in a real headless browser.
#
#   source browser.sh
#   find_browser            # sets browser (a path); returns 1 when there is none
#   dump_dom PAGE DOM LOG   # loads file PAGE with the network blocked; DOM and console to files
#
# LEMMA_BROWSER=PATH picks the browser; otherwise chromium-headless-shell, chromium or
# chromium-browser from PATH (scripts/setup installs chromium-headless-shell).

browser=""

find_browser() {
  browser=${LEMMA_BROWSER:-}
  if [ -z "$browser" ]; then
    local candidate
    for candidate in chromium-headless-shell chromium chromium-browser; do
      if command -v "$candidate" >/dev/null 2>&1; then browser=$(command -v "$candidate"); break; fi
    done
  fi
  [ -n "$browser" ]
}

dump_dom() {
  local page=$1 dom=$2 log=$3
  local profile
  profile=$(mktemp -d)
  # No network: every host resolves to nothing and any proxied request goes to a closed port;
  # the page's own Content-Security-Policy forbids loads as well.
  local flags=(--headless --disable-gpu --no-first-run --no-default-browser-check
               --disable-extensions --disable-sync --disable-background-networking
               --disable-component-update --disable-default-apps
               --host-resolver-rules="MAP * ~NOTFOUND" --proxy-server="http://127.0.0.1:9"
               --user-data-dir="$profile" --enable-logging=stderr --v=0)
  # Chromium refuses to start as root with its sandbox (containers, CI).
  [ "$(id -u)" -eq 0 ] && flags+=(--no-sandbox)
  local status=0
  timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$page" >"$dom" 2>"$log" || status=$?
  rm -rf "$profile"
  return "$status"
}
