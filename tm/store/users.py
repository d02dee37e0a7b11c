"""The people who may change the TM: names, argon2 password hashes, and API tokens for scripts."""

from __future__ import annotations

import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tm.errors import StoreError
from tm.store.corrections import now

_HASHER = PasswordHasher()
_NAME = re.compile(r"[\w.@-]{1,64}")
MIN_PASSWORD = 8


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Users:
    """Mixed into TranslationMemory: `db`, `path` and `transaction` come from there."""

    def add_user(self, name: str, password: str) -> None:
        """A new user, or a new password for one."""
        if not _NAME.fullmatch(name):
            raise StoreError(f"{name!r} is not a user name (letters, digits, . @ - _; at most 64)", self.path)
        if len(password) < MIN_PASSWORD:
            raise StoreError(f"the password is shorter than {MIN_PASSWORD} characters", self.path)
        with self.transaction(bump=False):
            self.db.execute(
                "INSERT INTO users VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET password = excluded.password",
                (name, _HASHER.hash(password), now()),
            )

    def users(self) -> list[str]:
        return [name for (name,) in self.db.execute("SELECT name FROM users ORDER BY name")]

    def signed_in(self, name: str, password: str) -> bool:
        """Whether `password` is this user's (the same time spent for an unknown name)."""
        row = self.db.execute("SELECT password FROM users WHERE name = ?", (name,)).fetchone()
        stored = row[0] if row else _UNKNOWN
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


# Verified against when the name is unknown, so that a wrong name takes as long as a wrong password.
_UNKNOWN = _HASHER.hash(secrets.token_hex(16))
