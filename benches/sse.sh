#!/usr/bin/env bash
# Live emergency pages under load: 2,000 Server-Sent Events clients on one release instance (the
# demo's active flood, SQLite, in-process broadcast); five updates posted through the API; the
# time from each POST until every client has the update, and the server's memory per connection.
# Prints JSON (docs/PERFORMANCE.md keeps the figures). Needs curl and python3.
#
#   benches/sse.sh              # 2,000 clients
#   CLIENTS=5000 benches/sse.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-2000}
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ulimit -n 16384 2>/dev/null || true

echo "bench: building (release)" >&2
cargo build --release --quiet --bin kaifang
bin=target/release/kaifang
export KAIFANG_DATA_DIR="$work/data" KAIFANG_LOG__LEVEL=warn
mkdir -p "$KAIFANG_DATA_DIR"
"$bin" migrate >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --demo --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.5; done
echo "压测-发布人员-2026" | "$bin" user add --email duty@ah.gov.cn --role publisher \
  --department ah-emergency --password-stdin >/dev/null
key=$("$bin" key create --email duty@ah.gov.cn --name sse 2>/dev/null | tail -1)
echo "Machine: $(nproc) cores; $(date -u +%F). $CLIENTS clients, one release instance (demo, SQLite)."
python3 benches/sse.py --base "http://127.0.0.1:$port" --slug 2026-chaohu-flood --key "$key" \
  --pid "$server_pid" --clients "$CLIENTS"
