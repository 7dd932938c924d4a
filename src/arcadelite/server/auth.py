"""HTTP Basic authentication of the root user, with the password hashed at rest.

The root password is kept only as a salted scrypt hash (in memory and in
``<root>/config/server-users.json``); checks compare in constant time. scrypt is slow on purpose,
so credentials that passed once are remembered as an HMAC under a key that lives only in this
process: the next request with them costs one HMAC, not one scrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import threading
from typing import Any

import orjson

from .errors import HttpError

ROOT_USER = "root"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
_SECURITY = "com.arcadedb.server.security.ServerSecurityException"
_REMEMBERED_MAX = 256


def hash_password(password: str, salt: bytes | None = None) -> dict[str, Any]:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return {"algorithm": "scrypt", **{k: v for k, v in _SCRYPT.items() if k != "dklen"},
            "salt": salt.hex(), "hash": digest.hex()}  # fmt: skip


def verify_password(password: str, stored: dict[str, Any]) -> bool:
    salt = bytes.fromhex(stored["salt"])
    digest = hashlib.scrypt(password.encode(), salt=salt, n=stored["n"], r=stored["r"],
                            p=stored["p"], dklen=len(stored["hash"]) // 2)  # fmt: skip
    return hmac.compare_digest(digest.hex(), stored["hash"])


class RootAuthenticator:
    """Checks ``Authorization: Basic`` headers against the root user's stored hash."""

    def __init__(self, users_file: str, root_password: str | None) -> None:
        self._users_file = users_file
        if root_password is not None:
            if not isinstance(root_password, str) or len(root_password) < 1:
                raise ValueError("root_password must be a non-empty string")
            self._stored = hash_password(root_password)
            self._save()
        else:
            self._stored = self._load()
        self._process_key = secrets.token_bytes(32)
        self._remembered: dict[bytes, bool] = {}
        self._lock = threading.Lock()

    def _save(self) -> None:
        os.makedirs(os.path.dirname(self._users_file), exist_ok=True)
        temporary = self._users_file + ".tmp"
        with open(temporary, "wb") as out:
            out.write(orjson.dumps({"users": {ROOT_USER: self._stored}}, option=orjson.OPT_INDENT_2))
        os.chmod(temporary, 0o600)
        os.replace(temporary, self._users_file)

    def _load(self) -> dict[str, Any]:
        from ..exceptions import ArcadeDBError

        try:
            with open(self._users_file, "rb") as src:
                return orjson.loads(src.read())["users"][ROOT_USER]
        except FileNotFoundError:
            raise ArcadeDBError(
                f"No root password: pass root_password=... the first time (its hash is kept in "
                f"{self._users_file} for later starts)"
            ) from None
        except (KeyError, ValueError, TypeError) as exc:
            raise ArcadeDBError(f"Cannot read the users file {self._users_file}: {exc}") from None

    def authenticate(self, header: str | None) -> str:
        """The user name for a valid header; HttpError 401/403 otherwise."""
        if not header:
            raise HttpError(401, "Authentication required",
                            "No credentials: send an 'Authorization: Basic' header",
                            headers={"WWW-Authenticate": "Basic"})  # fmt: skip
        scheme, _, encoded = header.partition(" ")
        if scheme != "Basic":
            raise HttpError(403, "Authentication not supported",
                            f"Authentication scheme '{scheme}' is not supported: use Basic")  # fmt: skip
        try:
            user, sep, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user, sep, password = "", "", ""
        if not sep:
            raise HttpError(401, "Security error", "Authentication error: malformed Basic credentials",
                            _SECURITY, headers={"WWW-Authenticate": "Basic"})  # fmt: skip
        tag = hmac.new(self._process_key, f"{user}\0{password}".encode(), hashlib.sha256).digest()
        with self._lock:
            known = self._remembered.get(tag)
        if known is None:
            known = hmac.compare_digest(user.encode(), ROOT_USER.encode()) & verify_password(
                password, self._stored
            )
            with self._lock:
                if len(self._remembered) >= _REMEMBERED_MAX:
                    self._remembered.clear()
                self._remembered[tag] = known
        if not known:
            raise HttpError(401, "Security error", "User/Password not valid", _SECURITY,
                            headers={"WWW-Authenticate": "Basic"})  # fmt: skip
        return user
