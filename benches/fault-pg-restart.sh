#!/usr/bin/env bash
# PostgreSQL restarted under a mixed load (issue 17, faults). The portal (debug build unless
# BIN is given) serves the demo catalog from a fresh PostgreSQL database while four readers ask
# for pages and the API and one writer uploads a small CSV every half second; after 5 s the
# cluster is stopped for OUTAGE_SECS (default 8) and started again (`pg_ctlcluster $PG_CLUSTER`). Prints, before / during / after
# the outage: answers by status, the slowest answer (target: none over 10 s), the time from the
# database's return to the first page read from it (target: under 5 s), and whether every upload
# that was acknowledged (201) reached a final status (target: all; none left "processing").
# Not part of the test suite: it restarts the machine's PostgreSQL cluster.
#
#   benches/fault-pg-restart.sh
#   PG_CLUSTER="15 main" KAIFANG_TEST_PG=postgres://kaifang:kaifang@127.0.0.1:5432/postgres \
#     BIN=target/release/kaifang benches/fault-pg-restart.sh
set -euo pipefail
cd "$(dirname "$0")/.."

admin_url=${KAIFANG_TEST_PG:-postgres://kaifang:kaifang@127.0.0.1:5432/postgres}
cluster=${PG_CLUSTER:-15 main}
for tool in curl python3 psql pg_ctlcluster; do
  command -v "$tool" >/dev/null || { echo "fault-pg-restart.sh needs $tool" >&2; exit 1; }
done
outage=${OUTAGE_SECS:-8}
ctl="pg_ctlcluster $cluster"
[ "$(id -u)" -eq 0 ] || ctl="sudo $ctl"

work=$(mktemp -d)
db="kaifang_fault_$$"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if [ -z "${BIN:-}" ]; then
  cargo build --quiet --bin kaifang
  BIN=target/debug/kaifang
fi
psql "$admin_url" -qc "CREATE DATABASE $db" >/dev/null
export DATABASE_URL="${admin_url%/*}/$db" KAIFANG_DATA_DIR="$work/data" KAIFANG_LOG__LEVEL=warn
# A load test, not a quota test: the quotas would answer most requests with 429.
export KAIFANG_API__ANONYMOUS_PER_MINUTE=1000000 KAIFANG_API__SEARCH_PER_MINUTE=1000000
mkdir -p "$KAIFANG_DATA_DIR"
"$BIN" demo >/dev/null
password="故障测试-密码-2026"
echo "$password" | "$BIN" user add --email fault@ah.gov.cn --role publisher \
  --department hefei-transport --password-stdin >/dev/null
key=$("$BIN" key create --email fault@ah.gov.cn --name fault 2>/dev/null | tail -1)
port=$(free_port)
"$BIN" serve --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 200); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

python3 - "$base" "$key" "$ctl" "$outage" <<'PY'
import json, subprocess, sys, threading, time, urllib.error, urllib.parse, urllib.request

base, key, ctl, outage = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
auth = {"Authorization": f"Bearer {key}"}

def ask(url, data=None, headers=None, timeout=30):
    t = time.monotonic()
    req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
            return r.status, body, time.monotonic() - t
    except urllib.error.HTTPError as e:
        return e.code, e.read(), time.monotonic() - t
    except Exception as e:
        return f"error: {type(e).__name__}", b"", time.monotonic() - t

listing = json.loads(ask(f"{base}/api/v1/datasets?dept=hefei-transport&open=unconditional")[1])
slug = listing["items"][0]["slug"]
q = urllib.parse.quote("公交")
paths = ["/", "/datasets", f"/datasets?q={q}", f"/datasets/{slug}", "/api/v1/datasets",
         f"/api/v1/datasets/{slug}", "/healthz"]

log = []          # (start, kind, status, seconds)
uploads = []      # (start, status, report_url)
stop = threading.Event()

def reader(n):
    i = n
    while not stop.is_set():
        p = paths[i % len(paths)]
        i += 1
        t = time.monotonic()
        status, _, took = ask(base + p)
        log.append((t, p, status, took))
        time.sleep(0.05)

def writer():
    n = 0
    while not stop.is_set():
        n += 1
        body = f"线路,票价\n{n}路,2\n".encode()
        t = time.monotonic()
        status, answer, took = ask(f"{base}/api/v1/datasets/{slug}/resources?name=fault{n}.csv",
                                   data=body, headers={**auth, "content-type": "text/csv"})
        log.append((t, "upload", status, took))
        url = json.loads(answer).get("report_url") if status == 201 else None
        uploads.append((t, status, url))
        time.sleep(0.5)

threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)] + [threading.Thread(target=writer)]
for th in threads:
    th.start()
time.sleep(5)
down = time.monotonic()
subprocess.run(f"{ctl} stop", shell=True, check=True)
time.sleep(outage)
subprocess.run(f"{ctl} start", shell=True, check=True)
back = time.monotonic()
time.sleep(15)
stop.set()
for th in threads:
    th.join()

def phase(t):
    return "before" if t < down else ("during" if t < back else "after")

print(f"fault: PostgreSQL down for {back - down:.1f} s ({ctl} stop, {outage:g} s, start)")
for name in ["before", "during", "after"]:
    rows = [r for r in log if phase(r[0]) == name]
    counts = {}
    for r in rows:
        counts[str(r[2])] = counts.get(str(r[2]), 0) + 1
    slowest = max((r[3] for r in rows), default=0)
    print(f"fault: {name:6}: {len(rows):5} answers {dict(sorted(counts.items()))}, slowest {slowest:.2f} s")
slowest = max(r[3] for r in log)
bad = [r for r in log if isinstance(r[2], int) and r[2] >= 500 and r[2] != 503]
recovered = min((r[0] + r[3] for r in log if r[0] >= back and r[1] == f"/datasets/{slug}" and r[2] == 200), default=None)
print(f"fault: slowest answer {slowest:.2f} s (target under 10 s); 5xx other than 503: {len(bad)}")
if recovered is not None:
    print(f"fault: first dataset page read from the database {recovered - back:.2f} s after its return (target under 5 s)")
else:
    print("fault: NO dataset page was served after the database returned")

# Every acknowledged upload reaches a final status.
acknowledged = [u for u in uploads if u[1] == 201]
final = {}
deadline = time.monotonic() + 60
for _, _, url in acknowledged:
    while True:
        status, body, _ = ask(base + url, headers=auth)
        s = json.loads(body)["status"] if status == 200 else f"HTTP {status}"
        if s != "processing" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    final[s] = final.get(s, 0) + 1
refused = {}
for u in uploads:
    if u[1] != 201:
        refused[str(u[1])] = refused.get(str(u[1]), 0) + 1
print(f"fault: uploads acknowledged {len(acknowledged)}, final statuses {final}; refused {refused}")
ok = slowest < 10 and not bad and recovered is not None and recovered - back < 5 and "processing" not in final
print("fault: " + ("PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
PY
