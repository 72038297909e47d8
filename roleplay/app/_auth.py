"""Logins: users from a YAML file, passwords hashed with scrypt and a per-user salt.

A users file (`--users FILE` or env ROLEPLAY_USERS)::

    users:
      - name: sanne
        role: trainee            # trainee | instructor
        password_hash: "scrypt$16384$8$1$<salt>$<hash>"   # from `roleplay ui --hash-password`

Without a users file the app runs for one local user (who is also the instructor) on 127.0.0.1 only.
"""

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ._storage import Viewer

ROLES = ("trainee", "instructor")
LOCAL_USER = Viewer("lokaal", "instructor")
_N, _R, _P = 2**14, 8, 1  # scrypt cost: about 30 ms a check, 16 MB of memory


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """'scrypt$N$r$p$salt$hash' (base64); store it in the users file."""
    if not password:
        raise InputError("the password is empty", field="password")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    enc = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${enc(salt).decode()}${enc(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def _valid_hash(stored: str) -> bool:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return False
    try:
        int(parts[1]), int(parts[2]), int(parts[3])
        base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str

    @property
    def viewer(self) -> Viewer:
        return Viewer(self.name, "instructor" if self.role == "instructor" else "trainee")


class Users:
    """The configured users; `check` is the login function Gradio calls."""

    def __init__(self, users: list[User], file: Path | None = None) -> None:
        self.by_name = {u.name: u for u in users}
        self.file = file

    def check(self, name: str, password: str) -> bool:
        user = self.by_name.get(name)
        if user is None:
            verify_password(password, hash_password("x"))  # same time for unknown names
            return False
        return verify_password(password, user.password_hash)

    def viewer(self, name: str | None) -> Viewer | None:
        user = self.by_name.get(name or "")
        return user.viewer if user else None


def users_file(path: str | Path | None) -> Path | None:
    """The users file from the flag, else from ROLEPLAY_USERS, else None (single local user)."""
    chosen = path or os.environ.get("ROLEPLAY_USERS", "").strip() or None
    return Path(chosen) if chosen else None


def load_users(path: str | Path) -> Users:
    """Read and check a users file; errors name the file, line and field."""
    from ..yamlfile import read

    file = Path(path)
    data, lines = read(file)
    if isinstance(data, dict):
        data = data.get("users")
        base: tuple[str | int, ...] = ("users",)
    else:
        base = ()
    if not isinstance(data, list) or not data:
        raise InputError("expected a non-empty list 'users' of {name, role, password_hash}", file=file,
                         line=lines.line(base), field="users")
    users: list[User] = []
    for n, entry in enumerate(data):
        loc = (*base, n)
        where = ".".join(map(str, loc))

        def fail(msg: str, key: str | None = None, loc: tuple[str | int, ...] = loc, where: str = where) -> InputError:
            return InputError(msg, file=file, line=lines.line((*loc, key) if key else loc),
                              field=f"{where}.{key}" if key else where)

        if not isinstance(entry, dict):
            raise fail("expected a mapping with name, role and password_hash")
        extra = set(entry) - {"name", "role", "password_hash"}
        if extra:
            raise fail(f"unknown field '{sorted(extra)[0]}'", sorted(extra)[0])
        name, role, pw = entry.get("name"), entry.get("role", "trainee"), entry.get("password_hash")
        if not isinstance(name, str) or not name.strip():
            raise fail("a user needs a non-empty name", "name")
        if name in {u.name for u in users}:
            raise fail(f"duplicate user '{name}'", "name")
        if role not in ROLES:
            raise fail(f"role must be trainee or instructor, got {role!r}", "role")
        if not isinstance(pw, str) or not _valid_hash(pw):
            raise fail("password_hash must be a hash from `roleplay ui --hash-password` (scrypt$...)",
                       "password_hash")
        users.append(User(name.strip(), role, pw))
    return Users(users, file)
