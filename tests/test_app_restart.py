"""`roleplay ui` as a real server process: send turns, kill it mid-conversation, start it again on the same
database and resume: nothing is lost and the conversation goes on."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

TURNS = [
    "Goedemiddag, u spreekt met Sanne van Kabelnoord. Wat vervelend dat u opnieuw moet bellen.",
    "Vertelt u eens wat er precies is gebeurd?",
    "Als ik het goed begrijp valt uw internet elke avond weg en bent u niet teruggebeld, klopt dat?",
]
pytestmark = pytest.mark.filterwarnings("ignore:.*(no_silent_downcasting|copy keyword).*")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, db: Path, log: Path) -> subprocess.Popen[bytes]:
    seen = log.stat().st_size if log.exists() else 0  # the log of an earlier run comes before
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "ROLEPLAY_MODEL": "", "ROLEPLAY_USERS": ""}
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "roleplay", "ui", "--port", str(port), "--db", f"sqlite:///{db}"],
                                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=str(db.parent))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited with {proc.returncode}:\n{log.read_text()}")
        if b"serving on" in log.read_bytes()[seen:]:
            return proc
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"the server did not start in time:\n{log.read_text()}")


def client(port: int) -> Any:
    from gradio_client import Client

    return Client(f"http://127.0.0.1:{port}/", verbose=False)


def stored_turns(db: Path, sid: int) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute('SELECT role, text FROM turns WHERE session_id = ? ORDER BY "index"', (sid,)))


def test_kill_and_restart_loses_nothing(tmp_path: Path) -> None:
    db, log = tmp_path / "x.sqlite", tmp_path / "server.log"
    port = free_port()
    proc = start_server(port, db, log)
    try:
        c = client(port)
        sid = c.predict("boze-herhaalbeller", api_name="/start")["session"]
        for text in TURNS[:2]:
            assert c.predict(sid, text, api_name="/send")["reply"]
        before = c.predict(sid, api_name="/session")
    finally:
        proc.send_signal(signal.SIGKILL)  # no clean shutdown
        proc.wait(timeout=30)
    assert [(t["role"], t["text"]) for t in before["turns"]] == stored_turns(db, sid)

    proc = start_server(port, db, log)
    try:
        c = client(port)
        resumed = c.predict(api_name="/open_session")
        assert resumed["session"] == sid
        assert resumed["turns"] == before["turns"] and resumed["mood"] == before["mood"]
        r = c.predict(sid, TURNS[2], api_name="/send")
        assert r["reply"] and len(r["turns"]) == len(before["turns"]) + 2
        result = c.predict(sid, api_name="/end")
        assert result["scorecard"]["items"] and result["nps"] is not None
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert len(stored_turns(db, sid)) == len(before["turns"]) + 2
