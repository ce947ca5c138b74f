"""A class on a real JupyterHub (hub + proxy + the opsvalue service, as `opsvalue-lab hub-demo`).

1. N trainees submit at once (one hub token each, created through the hub API; all requests start
   together behind a barrier): latency p50/p99 and throughput, and every submission stored exactly
   once. Baseline: the same N files through a local `collect` in this run.
2. Memory per active trainee: a spawned single-user server (after JupyterLab's page and API were
   used) plus a kernel that ran notebook 04; baseline: the same server plus a bare kernel.
"""
from __future__ import annotations

import json
import os
import secrets
import statistics
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .common import ROOT, row


def _submit(url: str, token: str, data: bytes, barrier: threading.Barrier) -> tuple[float, int]:
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    barrier.wait()
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=120) as r:
        r.read()
        return time.perf_counter() - t0, r.status


def _files(n: int, out: Path, seed: int = 0) -> list[Path]:
    from opsvalue_lab.cli import main
    main(["demo-class", "--n", str(n), "--out", str(out), "--seed", str(seed)])
    files = sorted(out.rglob("*.opsvalue.json"))
    assert len(files) == n, f"demo-class wrote {len(files)} files, not {n}"
    return files


def _pctl(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def bench_submit(hub, n: int, tmp: Path) -> list[dict]:
    from opsvalue_lab.instructor.collect import collect
    from opsvalue_lab.instructor.course import Course
    files = _files(n, tmp / "files")
    t0 = time.perf_counter()
    collect([tmp / "files"], tmp / "baseline-course", out=lambda _l: None)
    base = time.perf_counter() - t0
    datas = [f.read_bytes() for f in files]
    # on a hub the workbook's profile carries the hub user as trainee id: the same names here
    users = [json.loads(d)["profile"]["trainee_id"] for d in datas]
    tokens = [hub.user_token(u) for u in users]
    base_rate = n / base
    rows = []
    # warm: each token already identified (notebook 06's Submit widget says hello when it opens and
    # the service caches identities for 300 s); cold: the first contact ever, via the hub's API
    for phase, pre in (("warm", "api/config"), ("cold", None)):
        if phase == "cold":
            tokens = [hub.user_token(u) for u in users]  # new tokens: nobody knows them yet
        if pre:
            with ThreadPoolExecutor(max_workers=16) as pool:
                list(pool.map(lambda t, p=pre: urllib.request.urlopen(urllib.request.Request(
                    f"{hub.url}/services/opsvalue/{p}", headers={"Authorization": f"token {t}"}),
                    timeout=120).read(), tokens))
        barrier = threading.Barrier(n)
        url = f"{hub.url}/services/opsvalue/api/submissions"
        if phase == "cold":  # other files (another seed): nothing the service has seen
            datas = [f.read_bytes() for f in _files(n, tmp / "files-cold", seed=1)]
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=n) as pool:
            results = list(pool.map(lambda a, u=url, b=barrier: _submit(u, a[0], a[1], b), zip(tokens, datas)))
        wall = time.perf_counter() - t0
        lat = [r[0] for r in results]
        assert all(r[1] == 201 for r in results), sorted({r[1] for r in results})
        rows += [row(f"hub submit latency p50, {n} at once, {phase}", statistics.median(lat), base / n, "s",
                     "", "local collect, per file"),
                 row(f"hub submit latency p99, {n} at once, {phase}", _pctl(lat, 0.99), base / n, "s", "≤ 1 s",
                     "local collect, per file"),
                 row(f"hub submissions/s, {n} at once, {phase}", n / wall, base_rate, "/s", "≥ 50/s",
                     "local collect files/s")]
    with Course(hub.data / "service" / "course") as course:
        per = {u: len(course.submissions_of(u)) for u in users}
        assert course.counts() == {"trainees": n, "submissions": 2 * n}, course.counts()
    assert set(per.values()) == {2}, "every submission stored exactly once"
    return rows


def _rss_tree(pid: int) -> int:
    import psutil
    p = psutil.Process(pid)
    return sum(x.memory_info().rss for x in [p, *p.children(recursive=True)])


def _kernel_rss(nb_path: Path | None, workspace: Path, user_env: dict[str, str]) -> int:
    """RSS (bytes) of a real kernel after running *nb_path* (None: a bare kernel)."""
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(nb_path, as_version=4) if nb_path else nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(
        "import os\nprint('RSS', int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE'))"))
    old = dict(os.environ)
    os.environ.update(user_env)
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(workspace)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    return int(text.split("RSS", 1)[1].split()[0])


def bench_memory(hub, tmp: Path) -> list[dict]:
    import psutil

    from opsvalue_lab.launch import prepare_workspace
    user = "memtrainee"
    from opsvalue_lab.hub.config import ACCESS, SUBMIT
    token = hub.user_token(user, [ACCESS, SUBMIT, f"access:servers!user={user}"])
    hub.api("POST", f"users/{user}/server")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        model = hub.api("GET", f"users/{user}")
        if model.get("servers", {}).get("", {}).get("ready"):
            break
        time.sleep(0.5)
    for path in ("lab", "api/contents/opsvalue", "api/kernelspecs"):
        req = urllib.request.Request(f"{hub.url}/user/{user}/{path}", headers={"Authorization": f"token {token}"})
        urllib.request.urlopen(req, timeout=60).read()
    server = next(p for p in psutil.Process(hub.proc.pid).children(recursive=True)
                  if "singleuser" in " ".join(p.cmdline()) and p.parent() and p.parent().pid == hub.proc.pid)
    server_rss = _rss_tree(server.pid)
    ws = prepare_workspace(tmp / "memws", "ja")
    env = {"OPSVALUE_WORKSPACE": str(ws)}
    bare = _kernel_rss(None, ws, env)
    ran = _kernel_rss(ROOT / "notebooks" / "ja" / "04_service_value.ipynb", ws, env)
    hub.api("DELETE", f"users/{user}/server")
    return [row("memory per active trainee (server + kernel that ran 04)", (server_rss + ran) / 1024,
                (server_rss + bare) / 1024, "KiB", "≤ 250 MB", "server + bare kernel")]


def run(tiny: bool) -> list[dict]:
    from opsvalue_lab.hub.demo import HubProcess
    n = 10 if tiny else int(os.environ.get("OPSVALUE_BENCH_HUB_N", "200"))
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as d:
        tmp = Path(d)
        hub = HubProcess(tmp / "data", admin_token=secrets.token_hex(24), log=tmp / "hub.log")
        try:
            hub.start()
            hub.wait_ready(120)
            rows = bench_submit(hub, n, tmp)
            print(json.dumps(rows), flush=True)
            if not tiny:
                rows += bench_memory(hub, tmp)
            return rows
        except Exception:
            print((tmp / "hub.log").read_text(errors="replace")[-3000:])
            raise
        finally:
            hub.stop()


if __name__ == "__main__":
    print(json.dumps(run(False), indent=1))
