"""The live view under a class: N simulated trainees each mirror an answer once per second for T
seconds (`PUT api/live/work-1`), while one projector page follows the Server-Sent Events stream.

Figures: p50 / p95 from the autosave (the moment the PUT is sent, right after the local commit) to
the answer arriving on the page's stream; the service's CPU (share of one core) and peak memory;
updates lost (a trainee's last value missing from the page at the end; goal 0). An update that a
newer one from the same trainee replaced before the next push counts as seen when that newer one
is seen (the page shows the latest answer, not every keystroke pause).

The measured service is the real one: JupyterHub + configurable-http-proxy + the `opsvalue`
service (opsvalue_lab.hub.demo.HubProcess, live on), N hub users with their own API tokens, the
page's stream as the instructor. CPU and memory are the service process's. Without JupyterHub
(and with --tiny) the stand-in app of tests/hub/live_app.py is measured instead (same routes and
store, fixed tokens, no proxy); the figure's name says which.

Baseline, same run and same load: a bare tornado relay (PUT → SSE to every listener, no auth, no
validation, no store, no proxy) — the floor of "an HTTP request reaches a streaming page" here.
"""
from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from .common import ROOT, row

GOAL = "p95 ≤ 3 s, 0 lost"
PREFIX = "/services/opsvalue/"

RELAY = r'''
import asyncio, sys
from tornado import web
subs = set()
class Put(web.RequestHandler):
    def put(self, ex):
        for q in list(subs): q.put_nowait(self.request.body)
        self.finish({"ok": True})
class Events(web.RequestHandler):
    async def get(self, ex):
        q = asyncio.Queue(); subs.add(q)
        self.set_header("Content-Type", "text/event-stream")
        try:
            while True:
                body = await q.get()
                self.write(b"event: snapshot\ndata: " + body + b"\n\n"); await self.flush()
        except Exception:
            subs.discard(q)
async def main():
    web.Application([(r"/services/opsvalue/api/live/(.*)", Put),
                     (r"/services/opsvalue/live/(.*)/events", Events)]).listen(int(sys.argv[1]), "127.0.0.1")
    print("ready", flush=True); await asyncio.Event().wait()
asyncio.run(main())
'''


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _proc_cpu_mem(pid: int) -> tuple[float, int]:
    """(CPU seconds used, peak RSS in KiB) of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    hwm = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
               if line.startswith("VmHWM:"))
    return cpu, hwm


def _texts(doc: dict, relay: bool) -> list[tuple[str, str]]:
    """(trainee, value) pairs in one stream event."""
    if relay:
        v = doc["value"]
        return [(v.split(":", 1)[0], v)]
    return [(c["lines"][0]["text"].split(":", 1)[0], c["lines"][0]["text"]) for c in doc.get("cards", [])
            if c.get("lines")]


async def _load(base: str, tokens: list[str], teacher: str, seconds: float, relay: bool) -> dict:
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest
    n = len(tokens)
    AsyncHTTPClient.configure(None, max_clients=n + 4)
    client = AsyncHTTPClient()
    sent: dict[str, list[tuple[int, float]]] = {f"u{i}": [] for i in range(n)}  # trainee -> [(counter, t)]
    seen: dict[str, int] = {}              # trainee -> highest counter seen on the page
    latencies: list[float] = []
    put_errors = 0
    buf = b""

    def on_chunk(chunk: bytes) -> None:
        nonlocal buf
        now = time.monotonic()
        buf += chunk
        while b"\n\n" in buf:
            block, buf = buf.split(b"\n\n", 1)
            data = [line[6:] for line in block.split(b"\n") if line.startswith(b"data: ")]
            if not data or b"event: snapshot" not in block:
                continue
            for who, text in _texts(json.loads(data[0]), relay):
                k = int(text.split(":", 2)[1])
                if k > seen.get(who, -1):
                    for counter, t in sent[who]:
                        if seen.get(who, -1) < counter <= k:
                            latencies.append(now - t)
                    seen[who] = k
    stream = client.fetch(HTTPRequest(base + "live/work-1/events", headers={"Authorization": f"token {teacher}"},
                                      streaming_callback=on_chunk, request_timeout=seconds + 60))
    stream.add_done_callback(lambda f: f.exception())  # it ends with the server; nothing to report
    await asyncio.sleep(0.5)

    async def trainee(i: int) -> None:
        nonlocal put_errors
        who = f"u{i}"
        await asyncio.sleep(i / n)  # spread over the second, as typing pauses are
        for k in range(int(seconds)):
            t = time.monotonic()
            sent[who].append((k, t))
            body = json.dumps({"value": f"{who}:{k}:" + "運用の価値とは何か。" * 3,
                               "saved_at": datetime.now(UTC).isoformat()}, ensure_ascii=False)
            try:
                await client.fetch(HTTPRequest(base + "api/live/work-1", method="PUT", body=body.encode(),
                                               headers={"Authorization": f"token {tokens[i]}"}, request_timeout=30))
            except Exception:  # noqa: BLE001 - counted; a lost PUT shows as a lost update
                put_errors += 1
            await asyncio.sleep(max(0.0, t + 1.0 - time.monotonic()))
    await asyncio.gather(*(trainee(i) for i in range(n)))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(seen.get(w, -1) < int(seconds) - 1 for w in sent):
        await asyncio.sleep(0.1)
    lost = sum(1 for w in sent if seen.get(w, -1) < int(seconds) - 1)
    client.close()
    return {"latencies": latencies, "lost": lost, "put_errors": put_errors}


def _pct(xs: list[float], q: int) -> float:
    if len(xs) < 2:
        return xs[0] if xs else float("nan")
    return statistics.quantiles(xs, n=100, method="inclusive")[q - 1]


STAND_IN = [f"tok-t{i + 1}" for i in range(200)]  # the tokens tests/hub/live_app.py knows


def _measured(pid: int, base: str, tokens: list[str], teacher: str, seconds: float, relay: bool) -> dict:
    cpu0, _ = _proc_cpu_mem(pid)
    t0 = time.monotonic()
    res = asyncio.run(_load(base, tokens, teacher, seconds, relay))
    cpu1, hwm = _proc_cpu_mem(pid)
    res.update(cpu=(cpu1 - cpu0) / (time.monotonic() - t0), peak_kib=hwm)
    return res


def _measure(cmd: list[str], n: int, seconds: float, relay: bool) -> dict:
    """Run a server command (it prints one line when it listens on the port given last)."""
    port = int(cmd[-1]) if relay else int(cmd[cmd.index("--port") + 1])
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        return _measured(proc.pid, f"http://127.0.0.1:{port}{PREFIX}", STAND_IN[:n], "tok-teacher", seconds, relay)
    finally:
        proc.kill()
        proc.wait(10)


def _hub_available() -> bool:
    import shutil
    try:
        import jupyterhub  # noqa: F401

        from opsvalue_lab.hub import demo  # noqa: F401
    except ImportError:
        return False
    return bool(shutil.which("configurable-http-proxy"))


def _measure_hub(tmp: Path, n: int, seconds: float) -> dict:
    """The real thing: JupyterHub + proxy + the opsvalue service; PUTs carry real hub tokens."""
    import importlib
    import secrets

    from opsvalue_lab.hub.config import ACCESS, REVIEW, SUBMIT
    from opsvalue_lab.hub.demo import HubProcess
    hub = HubProcess(tmp / "hub", instructors="teach", admin_token=secrets.token_hex(24), live=True,
                     log=tmp / "hub.log")
    try:
        hub.start()
        hub.wait_ready(120)
        tokens = [hub.user_token(f"u{i}") for i in range(n)]
        teacher = hub.user_token("teach", [ACCESS, SUBMIT, REVIEW])
        assert hub.proc is not None
        psutil = importlib.import_module("psutil")
        pid = next(p.pid for p in psutil.Process(hub.proc.pid).children(recursive=True)
                   if "opsvalue_lab.hub.service" in " ".join(p.cmdline()))
        return _measured(pid, f"{hub.url}{PREFIX}", tokens, teacher, seconds, False)
    finally:
        hub.stop()


def run(tiny: bool) -> list[dict]:
    n, seconds = (5, 3.0) if tiny else (int(os.environ.get("OPSVALUE_BENCH_LIVE_N", 100)), 60.0)
    real = not tiny and _hub_available()
    with tempfile.TemporaryDirectory(prefix="opsvalue-bench-live-") as d:
        if real:
            live = _measure_hub(Path(d), n, seconds)
        else:
            live = _measure([sys.executable, str(ROOT / "tests" / "hub" / "live_app.py"), "--data", d,
                             "--port", str(_free_port())], n, seconds, False)
        base = _measure([sys.executable, "-c", RELAY, str(_free_port())], n, seconds, True)
    what = (f"N={n} trainees × 1 update/s × {seconds:.0f} s, "
            + ("through JupyterHub's proxy with hub tokens" if real else "stand-in app, no hub"))
    name = "bare tornado PUT → SSE relay, same load"
    print(f"# bench_live: {what}: live p95 {_pct(live['latencies'], 95):.3f} s, lost {live['lost']}, "
          f"PUT errors {live['put_errors']}; relay p95 {_pct(base['latencies'], 95):.3f} s", file=sys.stderr)
    return [
        row(f"live: autosave → on the page, p50 ({what})", _pct(live["latencies"], 50), _pct(base["latencies"], 50),
            "s", GOAL, name),
        row(f"live: autosave → on the page, p95 ({what})", _pct(live["latencies"], 95), _pct(base["latencies"], 95),
            "s", GOAL, name),
        row("live: service CPU (share of one core)", max(live["cpu"], 1e-4), max(base["cpu"], 1e-4), "cores", "", name),
        row("live: service peak memory", live["peak_kib"], base["peak_kib"], "KiB", "", name),
        row("live: updates lost (+1 so the ratio exists)", live["lost"] + live["put_errors"] + 1,
            base["lost"] + base["put_errors"] + 1, "count", "1 (= none lost)", name),
    ]
