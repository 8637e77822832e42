#!/usr/bin/env python3
"""Server-Sent Events under load: CLIENTS connections to one emergency event page's live stream,
then updates posted through the API; for each update, the time from the POST until every
client has received it. Also the server's resident memory before and after the connections
(VmRSS from /proc), for the memory per connection. Standard library only (asyncio).

    python3 benches/sse.py --base http://127.0.0.1:PORT --slug SLUG --key KEY --pid PID
"""

import argparse
import asyncio
import json
import statistics
import time
import urllib.request
from urllib.parse import urlsplit


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Client:
    def __init__(self) -> None:
        self.seen: dict[str, float] = {}
        self.ready = asyncio.Event()

    async def run(self, host: str, port: int, path: str) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        buf = b""
        while True:
            chunk = await reader.read(4096)
            if not chunk:
                return
            buf += chunk
            if b"connected" in buf:
                self.ready.set()
            while b"\ndata: " in buf:
                head, _, rest = buf.partition(b"\ndata: ")
                line, sep, tail = rest.partition(b"\n")
                if not sep:
                    break
                self.seen.setdefault(line.decode().strip(), time.perf_counter())
                buf = tail


def post(base: str, slug: str, key: str, n: int) -> tuple[str, float]:
    body = json.dumps({
        "text": f"压测更新 {n}",
        "indicators": [{"name": "转移安置人数", "value": 1000 + n, "unit": "人"}],
    }).encode()
    req = urllib.request.Request(
        f"{base}/api/v1/emergencies/{slug}/updates", data=body, method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=30) as r:
        answer = json.load(r)
    return str(answer["update"]["id"]), started


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--slug", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--clients", type=int, default=2000)
    p.add_argument("--updates", type=int, default=5)
    a = p.parse_args()
    u = urlsplit(a.base)
    rss_before = rss_kib(a.pid)
    clients = [Client() for _ in range(a.clients)]
    opened = time.perf_counter()
    tasks = []
    for i, c in enumerate(clients):
        tasks.append(asyncio.create_task(c.run(u.hostname, u.port, f"/emergencies/{a.slug}/live")))
        if i % 200 == 199:
            await asyncio.sleep(0.05)
    await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in clients)), timeout=120)
    connect_s = time.perf_counter() - opened
    await asyncio.sleep(1)
    rss_after = rss_kib(a.pid)
    delays = []
    loop = asyncio.get_running_loop()
    for n in range(a.updates):
        uid, started = await loop.run_in_executor(None, post, a.base, a.slug, a.key, n)
        deadline = time.perf_counter() + 30
        while any(uid not in c.seen for c in clients):
            if time.perf_counter() > deadline:
                missing = sum(uid not in c.seen for c in clients)
                raise SystemExit(f"update {uid}: {missing} clients never got it")
            await asyncio.sleep(0.005)
        delays.append(max(c.seen[uid] for c in clients) - started)
        await asyncio.sleep(0.5)
    for t in tasks:
        t.cancel()
    per_conn = (rss_after - rss_before) / a.clients
    print(json.dumps({
        "clients": a.clients,
        "connect_seconds": round(connect_s, 2),
        "delivery_ms": [round(d * 1000, 1) for d in delays],
        "delivery_ms_median": round(statistics.median(delays) * 1000, 1),
        "delivery_ms_max": round(max(delays) * 1000, 1),
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
        "kib_per_connection": round(per_conn, 1),
    }))


asyncio.run(main())
