"""Logins and the `roleplay ui` command line: password hashes, the users file and its errors, refusing a
public host without logins, bad --db URLs, and `roleplay --help` staying free of gradio."""

import subprocess
import sys
from pathlib import Path

import pytest

from roleplay.app import hash_password, load_users, users_file, verify_password
from roleplay.errors import InputError


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "roleplay", *args], capture_output=True, text=True, input=stdin,
                          timeout=120)


def test_password_hash_round_trip() -> None:
    stored = hash_password("geheim wachtwoord")
    assert stored.startswith("scrypt$") and "geheim" not in stored
    assert verify_password("geheim wachtwoord", stored)
    assert not verify_password("geheim", stored)
    assert hash_password("x") != hash_password("x")  # salted
    assert not verify_password("x", "niet-een-hash")


def test_users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "users.yaml"
    f.write_text(f"users:\n  - name: anna\n    role: trainee\n    password_hash: '{hash_password('a')}'\n"
                 f"  - name: juf\n    role: instructor\n    password_hash: '{hash_password('j')}'\n")
    users = load_users(f)
    assert users.check("anna", "a") and not users.check("anna", "j") and not users.check("nobody", "a")
    assert users.viewer("juf") is not None and users.viewer("juf").is_instructor  # type: ignore[union-attr]
    assert users.viewer("nobody") is None
    monkeypatch.setenv("ROLEPLAY_USERS", str(f))
    assert users_file(None) == f
    assert users_file(tmp_path / "other.yaml") == tmp_path / "other.yaml"


@pytest.mark.parametrize(("text", "field", "line"), [
    ("users: []\n", "users", 1),
    ("users:\n  - name: anna\n    role: baas\n    password_hash: x\n", "users.0.role", 3),
    ("users:\n  - name: anna\n    password_hash: plain-text\n", "users.0.password_hash", 3),
    ("users:\n  - name: anna\n    password: x\n", "users.0.password", 3),
    ("users:\n  - role: trainee\n", "users.0.name", None),
    ("users: [unclosed\n", None, None),
])
def test_bad_users_file_names_file_field_and_line(tmp_path: Path, text: str, field: str | None,
                                                  line: int | None) -> None:
    f = tmp_path / "users.yaml"
    f.write_text(text)
    with pytest.raises(InputError) as info:
        load_users(f)
    msg = str(info.value)
    assert str(f) in msg and "\n" not in msg
    if field:
        assert info.value.field == field
    if line:
        assert info.value.line == line


def test_cli_errors_are_one_line_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "users.yaml"
    bad.write_text("users:\n  - name: anna\n    role: trainee\n    password_hash: plain\n")
    for args, needle in ((["ui", "--users", str(bad)], str(bad)),
                         (["ui", "--users", str(tmp_path / "missing.yaml")], "missing.yaml"),
                         (["ui", "--db", "nosuchdialect://x"], "nosuchdialect://x"),
                         (["ui", "--host", "0.0.0.0"], "--users")):
        r = run(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert needle in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_hash_password_helper() -> None:
    r = run("ui", "--hash-password", stdin="mijn-wachtwoord\n")
    assert r.returncode == 0, r.stderr
    assert verify_password("mijn-wachtwoord", r.stdout.strip())


def test_help_does_not_import_gradio() -> None:
    code = ("import sys, roleplay.cli, roleplay.commands.ui, roleplay.app; "
            "heavy = [m for m in ('gradio', 'litellm', 'deepeval') if m in sys.modules]; print(heavy)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "[]", r.stderr
    assert "ui" in run("--help").stdout
    h = run("ui", "--help")
    assert h.returncode == 0 and "--judge-model" in h.stdout and "--hash-password" in h.stdout
