"""The server side of SCRAM-SHA-1 (RFC 5802) as MongoDB and DocumentDB run it.

MongoDB's SCRAM-SHA-1 password is not the user's password but ``md5("<user>:mongo:<password>")`` in hex
(``mongodb_credentials``). A server keeps only the salt, the iteration count and the two keys derived from
the salted password, so nothing that stores ``Credentials`` can give the password back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass, field

MECHANISM = "SCRAM-SHA-1"
# MongoDB's default scramIterationCount for SHA-1; pymongo refuses fewer than 4096.
ITERATIONS = 10_000
SALT_BYTES = 16
NONCE_BYTES = 24


class ScramError(Exception):
    """The client's message is malformed, names an unknown user, or its proof is wrong."""


@dataclass(frozen=True)
class Credentials:
    """What a server stores for one user: enough to check a proof and sign the answer, not to log in."""

    username: str
    salt: bytes
    iterations: int
    stored_key: bytes = field(repr=False)
    server_key: bytes = field(repr=False)


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.digest(key, message, "sha1")


def derive(username: str, scram_password: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> Credentials:
    """Credentials for ``scram_password`` (the password as SCRAM hashes it), with a new random salt by default."""
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    salted = hashlib.pbkdf2_hmac("sha1", scram_password.encode(), salt, iterations)
    client_key = _hmac(salted, b"Client Key")
    return Credentials(username, salt, iterations, hashlib.sha1(client_key).digest(), _hmac(salted, b"Server Key"))


def mongodb_password(username: str, password: str) -> str:
    """The password MongoDB's SCRAM-SHA-1 hashes: its legacy MONGODB-CR digest of the user's password."""
    return hashlib.md5(f"{username}:mongo:{password}".encode()).hexdigest()


def mongodb_credentials(username: str, password: str, salt: bytes | None = None) -> Credentials:
    return derive(username, mongodb_password(username, password), salt)


def _attributes(message: str) -> list[tuple[str, str]]:
    pairs = []
    for part in message.split(","):
        name, equals, value = part.partition("=")
        if len(name) != 1 or not equals:
            raise ScramError(f"malformed SCRAM attribute {part!r}")
        pairs.append((name, value))
    return pairs


def _username(escaped: str) -> str:
    if "=" in escaped.replace("=2C", "").replace("=3D", ""):
        raise ScramError("malformed SCRAM user name")
    return escaped.replace("=2C", ",").replace("=3D", "=")


class Conversation:
    """One SCRAM-SHA-1 exchange, server side: ``first`` answers the client's first message, ``final`` its proof."""

    def __init__(self, lookup: Callable[[str], Credentials | None], server_nonce: str | None = None) -> None:
        self._lookup = lookup
        self._server_nonce = server_nonce or base64.b64encode(os.urandom(NONCE_BYTES)).decode()
        self._credentials: Credentials | None = None
        self._gs2_header = ""
        self._nonce = ""
        self._auth_prefix = ""

    @property
    def username(self) -> str | None:
        return self._credentials.username if self._credentials else None

    def first(self, client_first: bytes) -> bytes:
        """The server-first-message (nonce, salt, iterations) for ``n,,n=<user>,r=<client nonce>``."""
        text = client_first.decode("utf-8", errors="strict")
        channel, _, rest = text.partition(",")
        authzid, _, bare = rest.partition(",")
        if channel not in ("n", "y") or (authzid and not authzid.startswith("a=")):
            raise ScramError("channel binding is not supported")
        attributes = _attributes(bare)
        if [name for name, _ in attributes[:2]] != ["n", "r"] or not attributes[1][1]:
            raise ScramError("the client-first-message needs n= and r=")
        credentials = self._lookup(_username(attributes[0][1]))
        if credentials is None:
            raise ScramError("unknown user")
        self._credentials = credentials
        self._gs2_header = f"{channel},{authzid},"
        self._nonce = attributes[1][1] + self._server_nonce
        server_first = f"r={self._nonce},s={base64.b64encode(credentials.salt).decode()},i={credentials.iterations}"
        self._auth_prefix = f"{bare},{server_first}"
        return server_first.encode()

    def final(self, client_final: bytes) -> bytes:
        """The server-final-message (``v=<signature>``) when the client's proof is right; ScramError otherwise."""
        if self._credentials is None:
            raise ScramError("the exchange has not started")
        text = client_final.decode("utf-8", errors="strict")
        without_proof, separator, proof = text.rpartition(",p=")
        attributes = dict(_attributes(without_proof)) if separator else {}
        if attributes.get("c") != base64.b64encode(self._gs2_header.encode()).decode():
            raise ScramError("channel binding does not match the client-first-message")
        if not hmac.compare_digest(attributes.get("r", "").encode(), self._nonce.encode()):
            raise ScramError("nonce does not match")
        auth_message = f"{self._auth_prefix},{without_proof}".encode()
        try:
            client_proof = base64.b64decode(proof, validate=True)
        except ValueError as error:
            raise ScramError("malformed proof") from error
        signature = _hmac(self._credentials.stored_key, auth_message)
        if len(client_proof) != len(signature):
            raise ScramError("malformed proof")
        client_key = bytes(a ^ b for a, b in zip(client_proof, signature, strict=True))
        if not hmac.compare_digest(hashlib.sha1(client_key).digest(), self._credentials.stored_key):
            raise ScramError("wrong proof")
        return b"v=" + base64.b64encode(_hmac(self._credentials.server_key, auth_message))
