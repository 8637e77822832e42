#!/usr/bin/env bash
# Throughput and tail latency of the developer API under load, each next to nginx serving a saved
# copy of the very same response, measured in the same run on the same machine:
#   dataset  GET /api/v1/datasets/{slug}                    (metadata with resources and links)
#   search   GET /api/3/action/package_search?q=…&rows=10   (the CKAN search, ten full packages)
# The portal runs the demo catalog on its embedded defaults (SQLite, the tantivy index), with the
# anonymous quota raised out of the way (the load comes from one address). wrk drives CONNS
# connections (64) for DURATION (10 s) per target, after a warm-up.
# Prints a Markdown table (paste it into docs/PERFORMANCE.md). Needs wrk, nginx and curl.
#
#   benches/api.sh
#   CONNS=128 DURATION=20s benches/api.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CONNS=${CONNS:-64}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "api.sh needs $tool" >&2; exit 1; }
done

work=$(mktemp -d)
server_pid=""
nginx_conf=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$nginx_conf" ] && nginx -c "$nginx_conf" -s stop 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)); }

echo "bench: building (release)" >&2
cargo build --release --quiet --bin kaifang
bin=target/release/kaifang
export KAIFANG_DATA_DIR="$work/data" KAIFANG_LOG__LEVEL=warn
export KAIFANG_API__ANONYMOUS_PER_MINUTE=1000000000
port=$(free_port)
base="http://127.0.0.1:$port"
"$bin" serve --demo --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do curl -fs -o /dev/null "$base/healthz" && break; sleep 0.5; done
curl -fs -o /dev/null "$base/healthz"

slug=$(curl -fs "$base/api/3/action/package_search?q=%E5%85%AC%E4%BA%A4&rows=1" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["results"][0]["name"])')
dataset_path="/api/v1/datasets/$slug"
search_path="/api/3/action/package_search?q=%E4%BA%A4%E9%80%9A&rows=10"

# nginx serves the portal's own answers, saved byte for byte.
mkdir -p "$work/www"
curl -fs "$base$dataset_path" -o "$work/www/dataset.json"
curl -fs "$base$search_path" -o "$work/www/search.json"
nginx_port=$(free_port)
nginx_conf="$work/nginx.conf"
cat >"$nginx_conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx-body;
  proxy_temp_path $work/nginx-proxy;
  fastcgi_temp_path $work/nginx-fastcgi;
  uwsgi_temp_path $work/nginx-uwsgi;
  scgi_temp_path $work/nginx-scgi;
  default_type application/json;
  server { listen 127.0.0.1:$nginx_port; root $work/www; }
}
CONF
[ "$(id -u)" -eq 0 ] && sed -i "1i user root;" "$nginx_conf"
nginx -c "$nginx_conf"
for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$nginx_port/dataset.json" && break; sleep 0.1; done

# wrk → "requests/s p99-ms"
load() {
  wrk -t"$THREADS" -c"$CONNS" -d2s "$1" >/dev/null
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$1" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    END { if (bad > 0) { print "wrk: " bad " non-2xx answers" > "/dev/stderr"; exit 1 }; printf "%.0f %.2f\n", rps, p99 }'
}

row() {
  local name=$1 portal=$2 copy=$3
  read -r p_rps p_p99 < <(load "$portal")
  read -r n_rps n_p99 < <(load "$copy")
  awk -v name="$name" -v pr="$p_rps" -v pp="$p_p99" -v nr="$n_rps" -v np="$n_p99" 'BEGIN {
    printf "| %s | %d req/s, p99 %.2f ms | %d req/s, p99 %.2f ms | %.2f× | %.1f× |\n",
      name, pr, pp, nr, np, pr / nr, pp / np }'
}

echo "Machine: $(nproc) cores; $(date -u +%F). Demo catalog; wrk $THREADS threads, $CONNS connections, $DURATION per target."
echo "Dataset: $slug ($(stat -c %s "$work/www/dataset.json") bytes); search: $(stat -c %s "$work/www/search.json") bytes."
echo
echo "| request | portal | nginx, same bytes | throughput ratio | p99 ratio |"
echo "|---|---|---|---|---|"
row '`GET /api/v1/datasets/{slug}`' "$base$dataset_path" "http://127.0.0.1:$nginx_port/dataset.json"
row '`package_search` (q, 10 rows)' "$base$search_path" "http://127.0.0.1:$nginx_port/search.json"
