#!/usr/bin/env bash
# Memory under hostile uploads (issue 16): the release binary on its embedded defaults, a
# publisher's API key, then
#   sparse.xlsx  1.6 KB, cells A1 and XFD1048576 (once: a 512 GiB allocation, the process died)
#   cell.csv     a CSV whose second line is one 100 MB cell
#   huge.png     a PNG claiming 20,000 x 20,000 pixels, as a showcase screenshot (logged in)
# each sent PARALLEL times at once, while /healthz is asked every 0.2 s. Prints the server's
# resident memory when idle, its peak (VmHWM) over the uploads, the difference (target: under
# 100 MB), and the slowest /healthz answer (target: under 1 s). Needs curl and python3.
#
#   benches/hostile.sh
#   PARALLEL=8 benches/hostile.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PARALLEL=${PARALLEL:-4}
for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "hostile.sh needs $tool" >&2; exit 1; }
done
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "bench: building (release)" >&2
cargo build --release --quiet --bin kaifang
bin=target/release/kaifang

export KAIFANG_DATA_DIR="$work/data" KAIFANG_LOG__LEVEL=${KAIFANG_LOG__LEVEL:-warn}
mkdir -p "$KAIFANG_DATA_DIR"
"$bin" migrate >/dev/null
password="基准测试-密码-2026"
"$bin" demo >/dev/null
echo "$password" | "$bin" user add --email bench@ah.gov.cn --role publisher \
  --department hefei-transport --password-stdin >/dev/null
echo "$password" | "$bin" user add --email dev@example.cn --role user --password-stdin >/dev/null
key=$("$bin" key create --email bench@ah.gov.cn --name bench 2>/dev/null | tail -1)
port=$(free_port)
"$bin" serve --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

python3 - "$base" "$key" "$server_pid" "$PARALLEL" "$password" <<'PY'
import http.cookiejar, io, json, re, struct, sys, threading, time, urllib.parse, urllib.request, zipfile, zlib

base, key, pid, parallel, password = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]

def status(field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    return 0

def get(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()

# A dataset of the publisher's department (the demo's) to upload to.
listing = json.loads(get(f"{base}/api/v1/datasets?dept=hefei-transport&open=unconditional"))
slug = listing["items"][0]["slug"]

def sparse_xlsx():
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>b</t></is></c></row></sheetData></worksheet>')
    return b.getvalue()

def png(w, h):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 4096)) + chunk(b"IEND", b""))

big = b"a,b\n1," + b"x" * (100 << 20) + b"\n2,ok\n"
files = {"sparse.xlsx": sparse_xlsx(), "cell.csv": big}
print(f"bench: sparse.xlsx {len(files['sparse.xlsx'])} bytes, cell.csv {len(big) >> 20} MiB", file=sys.stderr)

# Logged in once, before measuring: a login hashes the password with Argon2id (19 MiB each),
# which is not what this benchmark is about.
jar = http.cookiejar.CookieJar()
op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
page = op.open(f"{base}/login").read().decode()
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
op.open(f"{base}/login", urllib.parse.urlencode({"csrf": csrf, "email": "dev@example.cn", "password": password}).encode())

time.sleep(1)
idle = status("VmRSS")
worst = [0.0]
done = threading.Event()
def poll():
    while not done.is_set():
        t = time.monotonic()
        get(f"{base}/healthz")
        worst[0] = max(worst[0], time.monotonic() - t)
        time.sleep(0.2)
poller = threading.Thread(target=poll); poller.start()

def upload(name, body):
    req = urllib.request.Request(f"{base}/api/v1/datasets/{slug}/resources?name={name}", data=body,
        headers={"Authorization": f"Bearer {key}", "content-type": "application/octet-stream"}, method="POST")
    with urllib.request.urlopen(req, timeout=120) as r:
        answer = json.loads(r.read())
    url = answer["report_url"]
    while True:
        s = json.loads(get(base + url, {"Authorization": f"Bearer {key}"}))
        if s["status"] != "processing":
            return s["status"]
        time.sleep(0.1)

def screenshot():
    page = op.open(f"{base}/showcase/new").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    boundary = "kaifangbench"
    parts = [("csrf", csrf), ("title", "基准测试"), ("kind", "application"), ("description", "基准测试用的描述文字"),
             ("link", "https://example.cn/"), ("datasets", f"/datasets/{slug}")]
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in parts)
    body += f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.png"\r\nContent-Type: image/png\r\n\r\n'.encode() + png(20000, 20000) + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(f"{base}/showcase/new", data=body, headers={"content-type": f"multipart/form-data; boundary={boundary}"}, method="POST")
    try:
        op.open(req)
        return "accepted"
    except urllib.error.HTTPError as e:
        return f"refused {e.code}"

results = []
threads = []
for i in range(parallel):
    for name, body in files.items():
        threads.append(threading.Thread(target=lambda n=name, b=body: results.append((n, upload(n, b)))))
    threads.append(threading.Thread(target=lambda: results.append(("huge.png", screenshot()))))
for t in threads: t.start()
for t in threads: t.join()
done.set(); poller.join()
peak = status("VmHWM")
for name in sorted(set(n for n, _ in results)):
    print(f"bench: {name}: " + ", ".join(sorted(set(s for n, s in results if n == name))), file=sys.stderr)
mb = lambda b: f"{b / (1 << 20):.1f} MiB"
print("| measure | value |")
print("|---|---|")
print(f"| uploads | {parallel} × (sparse.xlsx, 100 MB cell CSV, 20,000 × 20,000 PNG), at once |")
print(f"| RSS idle | {mb(idle)} |")
print(f"| peak RSS (VmHWM) | {mb(peak)} |")
print(f"| **peak above idle** (target < 100 MiB) | **{mb(peak - idle)}** |")
print(f"| slowest /healthz during the uploads (target < 1 s) | {worst[0] * 1000:.0f} ms |")
PY
