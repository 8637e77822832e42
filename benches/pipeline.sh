#!/usr/bin/env bash
# End-to-end benchmark of the data pipeline, each figure next to a reference measured in the
# same run on the same machine:
#   ingest    a generated CSV (ROWS rows, 12 columns, Chinese text) uploaded through the API
#             and ingested with the personal-data scan on, vs `sqlite3 .import` of the same file;
#   download  the published CSV through the portal, vs nginx serving the same bytes;
#   memory    the portal's peak resident memory (VmHWM) over the whole run.
# Prints a Markdown table (paste it into docs/PERFORMANCE.md). Needs sqlite3, nginx and curl.
#
#   benches/pipeline.sh            # 1,000,000 rows
#   ROWS=100000 benches/pipeline.sh
#
# Also: RUNS (downloads, 5), INGEST_RUNS (3); KAIFANG_LOG__LEVEL=info SERVER_LOG=FILE keeps the
# server's log, whose "ingest finished" lines give each pass's time; PERF_DATA=FILE runs the
# server under `perf record` (then `perf report -i FILE --sort pid`, `--tid N --sort symbol`).
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-1000000}
RUNS=${RUNS:-5}
INGEST_RUNS=${INGEST_RUNS:-3}
for tool in sqlite3 nginx curl; do
  command -v "$tool" >/dev/null || { echo "pipeline.sh needs $tool" >&2; exit 1; }
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

now() { date +%s.%N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)); }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "bench: building (release)" >&2
cargo build --release --quiet --bin kaifang
cargo bench --quiet --bench generate -- "$ROWS" "$work/bench.csv" >/dev/null
bin=target/release/kaifang
size=$(stat -c %s "$work/bench.csv")
echo "bench: $ROWS rows, $size bytes" >&2

# 2. The portal, on its embedded defaults (SQLite in the data directory).
export KAIFANG_DATA_DIR="$work/data" KAIFANG_LOG__LEVEL=${KAIFANG_LOG__LEVEL:-warn}
mkdir -p "$KAIFANG_DATA_DIR"
"$bin" migrate >/dev/null
sqlite3 "$KAIFANG_DATA_DIR/kaifang.db" \
  "INSERT INTO departments (slug, name, level, region_code, description, created_at)
   VALUES ('bench-market', '安徽省市场监督管理局', 'province', '340000', '基准测试', '2026-01-01 00:00:00')"
echo "基准测试-密码-2026" | "$bin" user add --email bench@ah.gov.cn --role publisher \
  --department bench-market --password-stdin >/dev/null
key=$("$bin" key create --email bench@ah.gov.cn --name bench 2>/dev/null | tail -1)
port=$(free_port)
run=("$bin")
[ -n "${PERF_DATA:-}" ] && run=(perf record -o "$PERF_DATA" -F 999 --call-graph=fp "$bin")
"${run[@]}" serve --bind "127.0.0.1:$port" >"${SERVER_LOG:-/dev/null}" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

# Peak memory: sample VmRSS while everything runs; VmHWM at the end covers the gaps.
(while kill -0 "$server_pid" 2>/dev/null; do
   awk '/VmRSS/ { print $2 }' "/proc/$server_pid/status" 2>/dev/null; sleep 0.2
 done) >"$work/rss.log" &

curl -fs -o /dev/null -X POST "$base/api/v1/datasets" -H "Authorization: Bearer $key" \
  -H 'content-type: application/json' --data-binary @- <<'JSON'
{"slug": "bench-market-entities", "title": "安徽省市场主体登记信息（基准测试）",
 "summary": "基准测试用的市场主体登记信息，一百万行。", "keywords": ["市场主体"],
 "theme": "enterprise", "maintainer": "安徽省市场监督管理局", "open_class": "unconditional",
 "update_frequency": "monthly", "formats": ["CSV"], "record_count": 0,
 "spatial_coverage": "340000", "license": "安徽省公共数据开放许可协议（署名）",
 "status": "published", "reason": "基准测试"}
JSON

# Ingest and reference alternate, INGEST_RUNS times each, so both see the same machine load;
# each upload after the first is a new version of the same resource. Medians are reported.
: >"$work/ref.secs"; : >"$work/ingest.secs"; : >"$work/upload.secs"
resource=""
for _ in $(seq 1 "$INGEST_RUNS"); do
  # The reference: sqlite3 .import of the same file into a new database.
  rm -f "$work/ref.db"
  t0=$(now)
  sqlite3 "$work/ref.db" -cmd ".mode csv" ".import $work/bench.csv t"
  t1=$(now)
  echo "$t1 - $t0" | bc -l >>"$work/ref.secs"
  ref_rows=$(sqlite3 "$work/ref.db" "SELECT COUNT(*) FROM t")

  t0=$(now)
  upload=$(curl -fs -X POST \
    "$base/api/v1/datasets/bench-market-entities/resources?name=bench.csv${resource:+&resource=$resource}" \
    -H "Authorization: Bearer $key" -H 'content-type: text/csv' --data-binary "@$work/bench.csv")
  t1=$(now)
  status_url=$(echo "$upload" | sed -E 's/.*"report_url":"([^"]+)".*/\1/')
  resource=$(echo "$upload" | sed -E 's/.*"resource":\{"id":([0-9]+).*/\1/')
  while :; do
    status=$(curl -fs "$base$status_url" -H "Authorization: Bearer $key")
    case "$status" in
      *'"status":"processing"'*) sleep 0.05 ;;
      *'"status":"ready"'*) break ;;
      *) echo "bench: ingest did not succeed: $status" >&2; exit 1 ;;
    esac
  done
  t2=$(now)
  echo "$t1 - $t0" | bc -l >>"$work/upload.secs"
  echo "$t2 - $t1" | bc -l >>"$work/ingest.secs"
done
ref_secs=$(median <"$work/ref.secs")
upload_secs=$(median <"$work/upload.secs")
ingest_secs=$(median <"$work/ingest.secs")

# 3. Downloads: the published CSV through the portal and through nginx (same bytes).
data_key=$(sqlite3 "$KAIFANG_DATA_DIR/kaifang.db" \
  "SELECT data_key FROM resource_versions WHERE resource_id = $resource AND status = 'ready'
   ORDER BY number DESC LIMIT 1")
mkdir -p "$work/www"
ln "$KAIFANG_DATA_DIR/files/$data_key" "$work/www/bench.csv"
csv_bytes=$(stat -c %s "$work/www/bench.csv")
nginx_port=$(free_port)
nginx_conf="$work/nginx.conf"
cat >"$nginx_conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $work/nginx-body;
  proxy_temp_path $work/nginx-proxy;
  fastcgi_temp_path $work/nginx-fastcgi;
  uwsgi_temp_path $work/nginx-uwsgi;
  scgi_temp_path $work/nginx-scgi;
  server { listen 127.0.0.1:$nginx_port; root $work/www; }
}
CONF
[ "$(id -u)" -eq 0 ] && sed -i "1i user root;" "$nginx_conf"
nginx -c "$nginx_conf"
for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$nginx_port/bench.csv" && break; sleep 0.1; done

portal_url="$base/datasets/bench-market-entities/resources/$resource/download?format=csv"
nginx_url="http://127.0.0.1:$nginx_port/bench.csv"
speed() { curl -fs -o /dev/null -w '%{speed_download}\n' "$1"; }
# One warm-up each, then alternate so both see the same page cache and machine load.
speed "$portal_url" >/dev/null; speed "$nginx_url" >/dev/null
: >"$work/portal.speed"; : >"$work/nginx.speed"
for _ in $(seq 1 "$RUNS"); do
  speed "$portal_url" >>"$work/portal.speed"
  speed "$nginx_url" >>"$work/nginx.speed"
done
portal_bps=$(median <"$work/portal.speed")
nginx_bps=$(median <"$work/nginx.speed")
nginx_worker=$(pgrep -P "$(cat "$work/nginx.pid")" | head -1)
nginx_hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$nginx_worker/status")
portal_hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$server_pid/status")
sampled=$(sort -n "$work/rss.log" | tail -1)

mb() { echo "scale=1; $1 / 1048576" | bc -l; }
ratio() { echo "scale=2; $1 / $2" | bc -l; }
ref_rate=$(echo "$ref_rows / $ref_secs" | bc -l)
rate=$(echo "$ROWS / $ingest_secs" | bc -l)

cat <<TABLE
Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(date -u +%Y-%m-%d).
File: $ROWS rows × 12 columns, $(mb "$size") MiB (UTF-8, Chinese text); published CSV $(mb "$csv_bytes") MiB.

| Measure | Kaifang | Reference (same run) | Ratio | Target |
|---|---|---|---|---|
| Ingest (SQLite, scan on), rows/s (median of $INGEST_RUNS) | $(printf %.0f "$rate") ($(printf %.2f "$ingest_secs") s) | sqlite3 .import: $(printf %.0f "$ref_rate") ($(printf %.2f "$ref_secs") s) | $(ratio "$rate" "$ref_rate") | ≥ 0.5 |
| Upload transfer (not in the ingest figure), median | $(printf %.2f "$upload_secs") s | — | — | — |
| CSV download, MB/s (median of $RUNS) | $(mb "$portal_bps") | nginx: $(mb "$nginx_bps") | $(ratio "$portal_bps" "$nginx_bps") | ≥ 0.8 |
| Peak RSS, MiB | $(echo "scale=1; $portal_hwm / 1024" | bc -l) (sampled max $(echo "scale=1; ${sampled:-0} / 1024" | bc -l)) | nginx worker: $(echo "scale=1; $nginx_hwm / 1024" | bc -l) | — | < 150 |
TABLE
