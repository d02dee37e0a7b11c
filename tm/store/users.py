"""The people who may change the TM: names, argon2 password hashes, and API tokens for scripts."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tm.errors import NotFound, StoreError
from tm.store.records import now

_HASHER = PasswordHasher()
_NAME = re.compile(r"[\w.@-]{1,64}")
MIN_PASSWORD = 8


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Users:
    """Mixed into TranslationMemory: `db`, `path` and `transaction` come from there."""

    def add_user(self, name: str, password: str) -> None:
        """A new user, or a new password for one (which ends the user's web sessions)."""
        if not _NAME.fullmatch(name):
            raise StoreError(f"{name!r} is not a user name (letters, digits, . @ - _; at most 64)", self.path)
        if len(password) < MIN_PASSWORD:
            raise StoreError(f"the password is shorter than {MIN_PASSWORD} characters", self.path)
        with self.transaction(bump=False):
            self.db.execute(
                "INSERT INTO users VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET password = excluded.password",
                (name, _HASHER.hash(password), now()),
            )
            self.db.execute("DELETE FROM sessions WHERE user = ?", (name,))

    def remove_user(self, name: str) -> None:
        """Take away a user's right to change the TM: the user, their API tokens and their web
        sessions go (the corrections they made stay, with their name)."""
        with self.transaction(bump=False):
            if not self.db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount:
                raise NotFound(f"no user {name!r}", self.path)

    def revoke_tokens(self, user: str, label: str | None = None) -> int:
        """End a user's API tokens (only those with `label`, if given); returns how many."""
        where, args = ("user = ? AND label = ?", (user, label)) if label is not None else ("user = ?", (user,))
        with self.transaction(bump=False):
            return self.db.execute(f"DELETE FROM tokens WHERE {where}", args).rowcount

    def start_session(self, user: str, hours: float) -> str:
        """A new web session for `user`, lasting `hours`: its id, for the browser's signed cookie."""
        session = secrets.token_urlsafe(32)
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
        with self.transaction(bump=False):
            self.db.execute("DELETE FROM sessions WHERE expires < ?", (now(),))  # the ended ones, not kept
            self.db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?)",
                (_digest(session), user, now(), expires.isoformat(timespec="seconds")),
            )
        return session

    def session_user(self, session: str) -> str | None:
        """The user of a web session that has not ended, or None."""
        row = self.db.execute(
            "SELECT user FROM sessions WHERE digest = ? AND expires >= ?", (_digest(session), now())
        ).fetchone()
        return row[0] if row else None

    def end_session(self, session: str) -> None:
        with self.transaction(bump=False):
            self.db.execute("DELETE FROM sessions WHERE digest = ?", (_digest(session),))

    def users(self) -> list[str]:
        return [name for (name,) in self.db.execute("SELECT name FROM users ORDER BY name")]

    def signed_in(self, name: str, password: str) -> bool:
        """Whether `password` is this user's (the same time spent for an unknown name)."""
        row = self.db.execute("SELECT password FROM users WHERE name = ?", (name,)).fetchone()
        stored = row[0] if row else _unknown()
        try:
            return _HASHER.verify(stored, password) and row is not None
        except (VerificationError, InvalidHashError):
            return False

    def new_token(self, user: str, label: str = "") -> str:
        """A new API token for `user`, shown this once: only its digest is kept."""
        if user not in self.users():
            raise StoreError(f"no user {user!r} (add one with `tm user add`)", self.path)
        token = secrets.token_urlsafe(32)
        with self.transaction(bump=False):
            self.db.execute("INSERT INTO tokens VALUES (?, ?, ?, ?)", (_digest(token), user, label, now()))
        return token

    def token_user(self, token: str) -> str | None:
        """The user a token belongs to, or None."""
        row = self.db.execute("SELECT user FROM tokens WHERE digest = ?", (_digest(token),)).fetchone()
        return row[0] if row else None

    def web_secret(self) -> str:
        """The key that signs this TM's web sessions, made the first time it is asked for."""
        with self.transaction(bump=False):
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('web_secret', ?)", (secrets.token_hex(32),))
        return self.db.execute("SELECT value FROM meta WHERE key = 'web_secret'").fetchone()[0]


@functools.cache
def _unknown() -> str:
    """Verified against when the name is unknown, so that a wrong name takes as long as a wrong
    password. Made on first use: hashing takes a tenth of a second, which every command paid."""
    return _HASHER.hash(secrets.token_hex(16))
