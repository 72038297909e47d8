"""Load on the web app: N concurrent sessions of T trainee turns against the `fake` provider with 200 ms
latency, driven through gradio_client like real browsers' API calls.

Reports the latency the app adds per turn (wall time of a /send call minus the provider's latency) as p50/p95
and checks in the database that no turn was lost (each session: its opening + 2 per turn).

Run: /work/venv/bin/python benchmarks/bench_app_load.py [--sessions 20] [--turns 10] [--latency 0.2]
The customer is roleplay.customer.LLMCustomer when it exists, else the app's stand-in LLM customer (same
model path: roleplay.llm.stream over litellm to the fake provider).
"""

import argparse
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TURNS = [
    "Goedemiddag, u spreekt met Sanne van Kabelnoord. Waarmee kan ik u helpen?",
    "Wat vervelend dat u opnieuw moet bellen. Vertelt u eens wat er is gebeurd?",
    "Sinds wanneer valt het internet precies weg?",
    "Als ik het goed begrijp valt uw internet elke avond weg en bent u niet teruggebeld, klopt dat?",
    "Ik begrijp dat u boos bent, dat zou ik ook zijn.",
    "Er is een storing in de wijkkast in uw straat; die wordt dinsdag vervangen.",
    "Morgen laat ik gratis een 4G-router bij u bezorgen, dan kunt u 's avonds verder.",
    "Ik zet ook een tegoed klaar voor de dagen zonder internet.",
    "Kan ik verder nog iets voor u doen?",
    "Bedankt voor uw geduld, meneer Verbeek. Fijne avond.",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def serve(db: Path, port: int, n_users: int, real: bool, ready: Any) -> None:
    """The app with one trainee login per session (a trainee has one open session at a time)."""
    from roleplay.app import Store, Users, build_app, hash_password, launch, resolve_settings
    from roleplay.app._auth import User
    from roleplay.app._stand_in import stand_in_factory

    factory = None if real else stand_in_factory
    pw = hash_password("bench")
    users = Users([User(f"trainee{n}", "trainee", pw) for n in range(n_users)])
    settings = resolve_settings(model="fake", judge="rules", local=False, customer_factory=factory)
    assert settings.customer == "llm", settings
    demo = build_app(Store(f"sqlite:///{db}"), settings=settings, users=users, customer_factory=factory)
    launch(demo, port=port, users=users, block=False, quiet=True)
    ready.set()
    demo.block_thread()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--turns", type=int, default=10)
    ap.add_argument("--latency", type=float, default=0.2)
    args = ap.parse_args()
    os.environ["ROLEPLAY_FAKE_LATENCY"] = str(args.latency)
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

    import multiprocessing as mp

    from roleplay import customer
    from roleplay.app import Store, Viewer

    real = getattr(customer, "LLMCustomer", None) is not None
    db = Path(tempfile.mkdtemp()) / "bench.sqlite"
    port = free_port()
    # The server runs in its own process, so the 20 clients here do not compete with it for the GIL.
    ready = mp.get_context("fork").Event()
    server = mp.get_context("fork").Process(target=serve, args=(db, port, args.sessions + 1, real, ready),
                                            daemon=True)
    server.start()
    if not ready.wait(120):
        raise SystemExit("the server did not start")
    url = f"http://127.0.0.1:{port}/"
    from gradio_client import Client

    print(f"customer: {'LLMCustomer' if real else 'stand-in LLM customer'} on model 'fake', "
          f"provider latency {args.latency * 1000:.0f} ms; {args.sessions} sessions x {args.turns} turns")

    # litellm's first import and the first stream are not the app's cost
    warm = Client(url, auth=(f"trainee{args.sessions}", "bench"), verbose=False)
    sid = warm.predict("boze-herhaalbeller", api_name="/start")["session"]
    warm.predict(sid, TURNS[0], api_name="/send")

    samples: list[float] = []
    starts: list[float] = []
    errors: list[str] = []
    sessions: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(args.sessions)

    def run(n: int) -> None:
        try:
            c = Client(url, auth=(f"trainee{n}", "bench"), verbose=False)
            barrier.wait()
            t0 = time.perf_counter()
            s = c.predict("boze-herhaalbeller", api_name="/start")
            start_time = time.perf_counter() - t0
            mine = []
            for i in range(args.turns):
                t0 = time.perf_counter()
                r = c.predict(s["session"], TURNS[i % len(TURNS)], api_name="/send")
                mine.append(time.perf_counter() - t0)
                if r.get("error") or not r.get("reply"):
                    raise RuntimeError(f"turn {i}: {r.get('error')}")
            with lock:
                samples.extend(mine)
                starts.append(start_time)
                sessions.append(s["session"])
        except Exception as exc:
            with lock:
                errors.append(f"session {n}: {exc.__class__.__name__}: {exc}")

    t_all = time.perf_counter()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(args.sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t_all

    added = [(x - args.latency) * 1000 for x in samples]
    expected = {sid: 1 + 2 * args.turns for sid in sessions}
    store = Store(f"sqlite:///{db}")
    counted = {sid: store.turn_count(Viewer("bench", "instructor"), sid) for sid in sessions}
    lost = sum(max(0, expected[s] - counted[s]) for s in sessions)
    print(f"turns measured: {len(samples)} in {wall:.1f} s wall ({len(samples) / wall:.1f} turns/s)")
    if added:
        print(f"app-added latency per turn: p50 {statistics.median(added):.0f} ms, p95 {pct(added, 0.95):.0f} ms, "
              f"max {max(added):.0f} ms (total minus {args.latency * 1000:.0f} ms provider latency)")
    if starts:
        print(f"start (incl. the opening's model call): p50 {statistics.median(starts) * 1000:.0f} ms")
    print(f"turns in the database: {sum(counted.values())} of {sum(expected.values())} expected; lost: {lost}")
    for e in errors:
        print("ERROR", e)
    server.terminate()
    if errors or lost:
        sys.exit(1)


if __name__ == "__main__":
    main()
