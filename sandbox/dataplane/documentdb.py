"""One TLS MongoDB wire-protocol server per DocumentDB cluster, a thread of the sandbox server process.

No MongoDB-compatible server with TLS and SCRAM installs from the registries the project uses, so this one
speaks enough of the protocol for pymongo with the connection string the collection hands out
(``tls=true&tlsCAFile=…&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false``): the OP_QUERY
handshake and OP_MSG commands, a replica set ``rs0`` whose only member is the primary at the address the
client dialled, SCRAM-SHA-1 only against the cluster's master user (as DocumentDB), TLS only, and
insert/find/getMore/delete/drop on collections kept in memory. The master password is kept only as SCRAM
salted keys. The control plane (``sandbox.services.docdb``) reports ``127.0.0.1:<port>`` as the cluster's
endpoints, from ``SANDBOX_DOCDB_FIRST_PORT`` upward.

Every write is journalled with the time it was applied, so the store can give its data as of any moment
(point-in-time restore); a ``Dataset`` (the data and the master user's salted keys) is what a cluster snapshot
writes to disk and what a restored cluster's server starts from.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import itertools
import logging
import os
import secrets
import socket
import socketserver
import ssl
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bson
from bson.binary import Binary
from bson.errors import BSONError
from bson.int64 import Int64
from bson.objectid import ObjectId

from sandbox import state, tls
from sandbox.dataplane import free_port, release_port, scram
from sandbox.state import AWS_HOST

LOG = logging.getLogger("sandbox.dataplane.documentdb")
HOST = AWS_HOST
SET_NAME = "rs0"
VERSION = "5.0.0"
MAX_WIRE_VERSION = 13  # what DocumentDB 5.0 reports
MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024
MAX_MESSAGE_SIZE = 48_000_000
MAX_WRITE_BATCH_SIZE = 100_000
SESSION_TIMEOUT_MINUTES = 30
HANDSHAKE_TIMEOUT = 10.0
OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013
CHECKSUM_PRESENT, MORE_TO_COME = 1, 2
HANDSHAKE_COMMANDS = frozenset({"hello", "isMaster", "ismaster", "ping", "buildInfo", "buildinfo", "saslStart",
                                "saslContinue"})

_MISSING = object()


class CommandError(Exception):
    """A command failure, answered as MongoDB does: ``{ok: 0, errmsg, code, codeName}``."""

    def __init__(self, code: int, code_name: str, message: str) -> None:
        super().__init__(message)
        self.code, self.code_name, self.message = code, code_name, message

    def reply(self) -> dict[str, Any]:
        return {"ok": 0.0, "errmsg": self.message, "code": self.code, "codeName": self.code_name}


def _auth_failed() -> CommandError:
    return CommandError(18, "AuthenticationFailed", "Authentication failed.")


def _bad_value(message: str) -> CommandError:
    return CommandError(2, "BadValue", message)


# --- queries ------------------------------------------------------------------------------------------------


def _lookup(document: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(document, dict) or part not in document:
            return _MISSING
        document = document[part]
    return document


def _matches(document: dict[str, Any], query: dict[str, Any]) -> bool:
    """Equality filters only (``{field: value}``, dotted paths, ``$eq``), with MongoDB's array membership."""
    for path, expected in query.items():
        if path.startswith("$"):
            raise _bad_value(f"the sandbox's DocumentDB supports equality filters only, not {path}")
        if isinstance(expected, dict) and any(key.startswith("$") for key in expected):
            if list(expected) != ["$eq"]:
                raise _bad_value(f"the sandbox's DocumentDB supports equality filters only, not {sorted(expected)}")
            expected = expected["$eq"]
        value = _lookup(document, path)
        if value is _MISSING:
            if expected is not None:
                return False
        elif value != expected and not (isinstance(value, list) and expected in value):
            return False
    return True


def _project(document: dict[str, Any], projection: dict[str, Any] | None) -> dict[str, Any]:
    """Top-level inclusion or exclusion projections."""
    if not projection:
        return document
    included = {name for name, flag in projection.items() if flag and name != "_id"}
    excluded = {name for name, flag in projection.items() if not flag}
    if included and excluded - {"_id"}:
        raise _bad_value("a projection cannot mix inclusion and exclusion")
    if included:
        return {name: value for name, value in document.items()
                if name in included or (name == "_id" and "_id" not in excluded)}
    return {name: value for name, value in document.items() if name not in excluded}


Databases = dict[str, dict[str, list[dict[str, Any]]]]
SNAPSHOT_FORMAT = "openedx-data-services/docdb-snapshot/1"
# AWS keeps at most 35 days of point-in-time recovery; older writes are folded into the journal's base.
MAX_RETENTION_SECONDS = 35 * 86400


@dataclass
class Dataset:
    """What a cluster snapshot holds: the databases (collections of documents, in insertion order) and the master
    user's SCRAM credentials (salted keys, never the password). The sandbox keeps no index but ``_id`` and no user
    but the master user, so there is nothing else to keep."""

    databases: Databases
    credentials: scram.Credentials

    @classmethod
    def empty(cls, credentials: scram.Credentials) -> Dataset:
        return cls({}, credentials)

    def save(self, path: Path) -> None:
        """Write the dataset as a sequence of BSON documents (a header, then one per collection), mode 0600."""
        credentials = self.credentials
        header = {"format": SNAPSHOT_FORMAT, "credentials": {
            "username": credentials.username, "salt": Binary(credentials.salt), "iterations": credentials.iterations,
            "stored_key": Binary(credentials.stored_key), "server_key": Binary(credentials.server_key)}}
        parts = [bson.encode(header)]
        parts += [bson.encode({"database": database, "collection": name, "documents": documents})
                  for database, collections in self.databases.items() for name, documents in collections.items()]
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        with temporary.open("wb") as out:
            temporary.chmod(0o600)
            out.write(b"".join(parts))
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path) -> Dataset:
        header, *collections = bson.decode_all(path.read_bytes())
        if header.get("format") != SNAPSHOT_FORMAT:
            raise ValueError(f"{path} is not a DocumentDB snapshot of the sandbox")
        saved = header["credentials"]
        credentials = scram.Credentials(saved["username"], bytes(saved["salt"]), saved["iterations"],
                                        bytes(saved["stored_key"]), bytes(saved["server_key"]))
        databases: Databases = {}
        for entry in collections:
            databases.setdefault(entry["database"], {})[entry["collection"]] = list(entry["documents"])
        return cls(databases, credentials)


def _replay(databases: Databases, operation: tuple[Any, ...]) -> None:
    """Apply one journal entry's write to ``databases`` (the same effect it had on the live store)."""
    kind, database, *rest = operation
    if kind == "insert":
        name, documents = rest
        databases.setdefault(database, {}).setdefault(name, []).extend(documents)
    elif kind == "delete":
        name, ids = rest
        collection = databases.get(database, {}).get(name, [])
        for doc_id in ids:
            index = next(i for i, document in enumerate(collection) if document["_id"] == doc_id)
            del collection[index]
    elif kind == "drop":
        collections = databases.get(database, {})
        collections.pop(rest[0], None)
        if not collections:
            databases.pop(database, None)
    elif kind == "dropDatabase":
        databases.pop(database, None)


class Store:
    """The cluster's databases: name -> collection name -> documents, in insertion order, and the master user's
    credentials.

    Every write is journalled with the time it was applied (taken under the lock that applies it), after a base:
    the data the store started with (empty, or a restored snapshot's). ``at(t)`` replays the base and every entry
    applied at or before ``t``: point-in-time restore to the microsecond of the writes' application.
    """

    def __init__(self, credentials: scram.Credentials, seed: Dataset | None = None) -> None:
        self.lock = threading.Lock()
        self.databases: Databases = copy.deepcopy(seed.databases) if seed is not None else {}
        self.credentials = seed.credentials if seed is not None else credentials
        self._base = Dataset(copy.deepcopy(self.databases), self.credentials)
        self._journal: list[tuple[float, tuple[Any, ...]]] = []

    def _record(self, *operation: Any) -> None:
        """Journal a write the caller applied under ``self.lock``."""
        now = time.time()
        self._journal.append((now, operation))
        horizon = now - MAX_RETENTION_SECONDS
        while self._journal and self._journal[0][0] < horizon:
            _, old = self._journal.pop(0)
            if old[0] == "credentials":
                self._base.credentials = old[1]
            else:
                _replay(self._base.databases, old)

    def set_credentials(self, credentials: scram.Credentials) -> None:
        with self.lock:
            self.credentials = credentials
            self._record("credentials", credentials)

    def dataset(self) -> Dataset:
        """The data and credentials now."""
        with self.lock:
            return Dataset(copy.deepcopy(self.databases), self.credentials)

    def at(self, moment: float) -> Dataset:
        """The data and credentials as they were at ``moment`` (seconds since the epoch): the base, then every write
        applied at or before it. Before the base (or what was folded into it), the base."""
        with self.lock:
            result = Dataset(copy.deepcopy(self._base.databases), self._base.credentials)
            for applied, operation in self._journal:
                if applied > moment:
                    break
                if operation[0] == "credentials":
                    result.credentials = operation[1]
                else:
                    _replay(result.databases, copy.deepcopy(operation))
        return result

    def collection(self, database: str, name: str) -> list[dict[str, Any]]:
        return self.databases.get(database, {}).get(name, [])

    def insert(self, database: str, name: str, documents: list[dict[str, Any]], ordered: bool
               ) -> tuple[int, list[dict[str, Any]]]:
        inserted, errors = [], []
        with self.lock:
            collection = self.databases.setdefault(database, {}).setdefault(name, [])
            for index, document in enumerate(documents):
                if "_id" not in document:
                    document = {"_id": ObjectId(), **document}
                if any(existing["_id"] == document["_id"] for existing in collection):
                    errors.append({"index": index, "code": 11000, "errmsg": (
                        f"E11000 duplicate key error collection: {database}.{name} index: _id_ "
                        f"dup key: {{ _id: {document['_id']!r} }}")})
                    if ordered:
                        break
                    continue
                collection.append(document)
                inserted.append(copy.deepcopy(document))
            if inserted:
                self._record("insert", database, name, inserted)
        return len(inserted), errors

    def find(self, database: str, name: str, query: dict[str, Any]) -> list[dict[str, Any]]:
        with self.lock:
            return [copy.deepcopy(document) for document in self.collection(database, name)
                    if _matches(document, query)]

    def delete(self, database: str, name: str, query: dict[str, Any], limit: int) -> int:
        with self.lock:
            collection = self.collection(database, name)
            doomed = [index for index, document in enumerate(collection) if _matches(document, query)]
            doomed = doomed[:limit] if limit else doomed
            ids = [collection[index]["_id"] for index in doomed]
            for index in reversed(doomed):
                del collection[index]
            if ids:
                self._record("delete", database, name, ids)
        return len(doomed)

    def drop(self, database: str, name: str) -> bool:
        with self.lock:
            collections = self.databases.get(database, {})
            found = collections.pop(name, None) is not None
            if not collections:
                self.databases.pop(database, None)
            if found:
                self._record("drop", database, name)
        return found

    def drop_database(self, database: str) -> None:
        with self.lock:
            if self.databases.pop(database, None) is not None:
                self._record("dropDatabase", database)

    def sizes(self) -> dict[str, int]:
        with self.lock:
            return {database: sum(len(bson.encode(document)) for documents in collections.values()
                                  for document in documents)
                    for database, collections in self.databases.items()}

    def collection_names(self, database: str) -> list[str]:
        with self.lock:
            return list(self.databases.get(database, {}))


# --- the wire protocol --------------------------------------------------------------------------------------


def _cstring(data: bytes, position: int) -> tuple[str, int]:
    end = data.index(b"\x00", position)
    return data[position:end].decode(), end + 1


def _document(data: bytes, position: int) -> tuple[dict[str, Any], int]:
    (length,) = struct.unpack_from("<i", data, position)
    return bson.decode(data[position:position + length]), position + length


def parse_op_msg(payload: bytes) -> tuple[int, dict[str, Any]]:
    """(flag bits, command) of an OP_MSG body; document sequences become fields of the command."""
    (flags,) = struct.unpack_from("<I", payload)
    end = len(payload) - (4 if flags & CHECKSUM_PRESENT else 0)
    position, command, sequences = 4, None, {}
    while position < end:
        kind = payload[position]
        position += 1
        if kind == 0:
            command, position = _document(payload, position)
        elif kind == 1:
            (size,) = struct.unpack_from("<i", payload, position)
            section_end = position + size
            identifier, position = _cstring(payload, position + 4)
            documents = []
            while position < section_end:
                document, position = _document(payload, position)
                documents.append(document)
            sequences[identifier] = documents
        else:
            raise ValueError(f"unknown OP_MSG section kind {kind}")
    if command is None:
        raise ValueError("OP_MSG without a body section")
    command.update(sequences)
    return flags, command


def parse_op_query(payload: bytes) -> tuple[str, dict[str, Any]]:
    """(namespace, command) of an OP_QUERY: drivers send only their handshake this way."""
    namespace, position = _cstring(payload, 4)
    query, _ = _document(payload, position + 8)
    wrapped = query.get("$query")
    return namespace, wrapped if isinstance(wrapped, dict) else query


def frame(opcode: int, request_id: int, response_to: int, payload: bytes) -> bytes:
    return struct.pack("<iiii", 16 + len(payload), request_id, response_to, opcode) + payload


def op_msg(document: dict[str, Any]) -> bytes:
    return struct.pack("<I", 0) + b"\x00" + bson.encode(document)


def op_reply(document: dict[str, Any]) -> bytes:
    return struct.pack("<iqii", 0, 0, 0, 1) + bson.encode(document)


def _receive(sock: ssl.SSLSocket, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


# --- connections --------------------------------------------------------------------------------------------


class Session:
    """One client connection: its handshake host name, authentication state and SCRAM conversation."""

    def __init__(self, server: _TCPServer, host: str, connection_id: int) -> None:
        self.server = server
        self.host = host
        self.connection_id = connection_id
        self.user: str | None = None
        self.conversation: scram.Conversation | None = None
        self.skip_empty_exchange = False
        self.awaiting_empty_exchange = False

    def run(self, name: str, command: dict[str, Any], database: str) -> dict[str, Any]:
        handler = COMMANDS.get(name)
        try:
            if handler is None:
                raise CommandError(59, "CommandNotFound", f"no such command: '{name}'")
            if self.user is None and name not in HANDSHAKE_COMMANDS:
                raise CommandError(13, "Unauthorized", f"command {name} requires authentication")
            return handler(self, command, database)
        except CommandError as error:
            return error.reply()
        except Exception as error:  # a malformed command must not cost the client its connection
            LOG.exception("documentdb %s: %s failed", self.server.cluster_id, name)
            return CommandError(1, "InternalError", f"{name}: {error}").reply()

    @property
    def me(self) -> str:
        return f"{self.host}:{self.server.server_address[1]}"


def _hello(session: Session, command: dict[str, Any], _database: str) -> dict[str, Any]:
    writable = "ismaster" if "hello" not in command else "isWritablePrimary"
    reply: dict[str, Any] = {
        writable: True, "hosts": [session.me], "setName": SET_NAME, "setVersion": 1, "primary": session.me,
        "me": session.me, "secondary": False, "maxBsonObjectSize": MAX_BSON_OBJECT_SIZE,
        "maxMessageSizeBytes": MAX_MESSAGE_SIZE, "maxWriteBatchSize": MAX_WRITE_BATCH_SIZE,
        "localTime": datetime.datetime.now(datetime.UTC), "logicalSessionTimeoutMinutes": SESSION_TIMEOUT_MINUTES,
        "connectionId": session.connection_id, "minWireVersion": 0, "maxWireVersion": MAX_WIRE_VERSION,
        "readOnly": False,
    }
    if command.get("helloOk"):
        reply["helloOk"] = True
    if command.get("saslSupportedMechs") == f"admin.{session.server.credentials.username}":
        reply["saslSupportedMechs"] = [scram.MECHANISM]
    return {**reply, "ok": 1.0}


def _ping(_session: Session, _command: dict[str, Any], _database: str) -> dict[str, Any]:
    return {"ok": 1.0}


def _build_info(_session: Session, _command: dict[str, Any], _database: str) -> dict[str, Any]:
    return {"version": VERSION, "versionArray": [5, 0, 0, 0], "bits": 64, "maxBsonObjectSize": MAX_BSON_OBJECT_SIZE,
            "ok": 1.0}


def _sasl_start(session: Session, command: dict[str, Any], database: str) -> dict[str, Any]:
    mechanism = command.get("mechanism")
    if mechanism != scram.MECHANISM:
        raise CommandError(334, "MechanismUnavailable",
                           f"Received authentication for mechanism {mechanism} which is unknown or not enabled")
    credentials = session.server.credentials

    def lookup(username: str) -> scram.Credentials | None:
        # DocumentDB keeps every user in the admin database.
        return credentials if database == "admin" and username == credentials.username else None

    session.conversation = scram.Conversation(lookup)
    session.skip_empty_exchange = bool((command.get("options") or {}).get("skipEmptyExchange"))
    session.awaiting_empty_exchange = False
    try:
        payload = session.conversation.first(bytes(command.get("payload") or b""))
    except (scram.ScramError, UnicodeDecodeError) as error:
        session.conversation = None
        LOG.info("documentdb %s: authentication failed: %s", session.server.cluster_id, error)
        raise _auth_failed() from error
    return {"conversationId": 1, "done": False, "payload": payload, "ok": 1.0}


def _sasl_continue(session: Session, command: dict[str, Any], _database: str) -> dict[str, Any]:
    conversation = session.conversation
    if conversation is None or command.get("conversationId") != 1:
        raise CommandError(17, "ProtocolError", "No SASL session state found")
    if session.awaiting_empty_exchange:
        session.conversation, session.user = None, conversation.username
        return {"conversationId": 1, "done": True, "payload": b"", "ok": 1.0}
    try:
        payload = conversation.final(bytes(command.get("payload") or b""))
    except (scram.ScramError, UnicodeDecodeError) as error:
        session.conversation = None
        LOG.info("documentdb %s: authentication failed: %s", session.server.cluster_id, error)
        raise _auth_failed() from error
    if session.skip_empty_exchange:
        session.conversation, session.user = None, conversation.username
        return {"conversationId": 1, "done": True, "payload": payload, "ok": 1.0}
    session.awaiting_empty_exchange = True
    return {"conversationId": 1, "done": False, "payload": payload, "ok": 1.0}


def _end_sessions(_session: Session, _command: dict[str, Any], _database: str) -> dict[str, Any]:
    return {"ok": 1.0}


def _collection_name(command: dict[str, Any], name: str) -> str:
    collection = command.get(name)
    if not isinstance(collection, str) or not collection:
        raise CommandError(73, "InvalidNamespace", f"collection name has invalid type {type(collection).__name__}")
    return collection


def _insert(session: Session, command: dict[str, Any], database: str) -> dict[str, Any]:
    collection = _collection_name(command, "insert")
    documents = list(command.get("documents") or [])
    if len(documents) > MAX_WRITE_BATCH_SIZE:
        raise CommandError(16, "InvalidLength", f"Write batch sizes must be between 1 and {MAX_WRITE_BATCH_SIZE}")
    inserted, errors = session.server.store.insert(database, collection, documents, command.get("ordered", True))
    reply: dict[str, Any] = {"n": inserted}
    if errors:
        reply["writeErrors"] = errors
    return {**reply, "ok": 1.0}


def _cursor_reply(session: Session, namespace: str, documents: list[dict[str, Any]], batch_size: Any,
                  single_batch: bool) -> dict[str, Any]:
    """The first batch (all of it without a batchSize) and a cursor id for the rest."""
    size = int(batch_size or 0) or len(documents)
    first, rest = documents[:size], documents[size:]
    cursor_id = session.server.open_cursor(namespace, rest) if rest and not single_batch else 0
    return {"cursor": {"firstBatch": first, "id": Int64(cursor_id), "ns": namespace}, "ok": 1.0}


def _find(session: Session, command: dict[str, Any], database: str) -> dict[str, Any]:
    collection = _collection_name(command, "find")
    if command.get("sort"):
        raise _bad_value("the sandbox's DocumentDB returns documents in insertion order and cannot sort")
    documents = session.server.store.find(database, collection, command.get("filter") or {})
    limit = int(command.get("limit") or 0)
    documents = documents[int(command.get("skip") or 0):]
    if limit:
        documents = documents[:abs(limit)]
    documents = [_project(document, command.get("projection")) for document in documents]
    return _cursor_reply(session, f"{database}.{collection}", documents, command.get("batchSize"),
                         bool(command.get("singleBatch")) or limit < 0)


def _get_more(session: Session, command: dict[str, Any], database: str) -> dict[str, Any]:
    cursor_id = int(command.get("getMore") or 0)
    namespace = f"{database}.{command.get('collection')}"
    batch, remaining = session.server.next_batch(cursor_id, namespace, int(command.get("batchSize") or 0))
    return {"cursor": {"nextBatch": batch, "id": Int64(cursor_id if remaining else 0), "ns": namespace}, "ok": 1.0}


def _kill_cursors(session: Session, command: dict[str, Any], _database: str) -> dict[str, Any]:
    killed, missing = [], []
    for cursor_id in command.get("cursors") or []:
        (killed if session.server.close_cursor(int(cursor_id)) else missing).append(cursor_id)
    return {"cursorsKilled": killed, "cursorsNotFound": missing, "cursorsAlive": [], "cursorsUnknown": [],
            "ok": 1.0}


def _list_databases(session: Session, command: dict[str, Any], database: str) -> dict[str, Any]:
    if database != "admin":
        raise CommandError(13, "Unauthorized", "listDatabases may only be run against the admin database.")
    sizes = session.server.store.sizes()
    if command.get("nameOnly"):
        return {"databases": [{"name": name} for name in sizes], "ok": 1.0}
    return {"databases": [{"name": name, "sizeOnDisk": Int64(size), "empty": False} for name, size in sizes.items()],
            "totalSize": Int64(sum(sizes.values())), "ok": 1.0}


def _list_collections(session: Session, command: dict[str, Any], database: str) -> dict[str, Any]:
    entries = [{"name": name, "type": "collection", "options": {}, "info": {"readOnly": False}}
               for name in session.server.store.collection_names(database)]
    entries = [entry for entry in entries if _matches(entry, command.get("filter") or {})]
    if command.get("nameOnly"):
        entries = [{"name": entry["name"], "type": entry["type"]} for entry in entries]
    return _cursor_reply(session, f"{database}.$cmd.listCollections", entries,
                         (command.get("cursor") or {}).get("batchSize"), False)


def _delete(session: Session, command: dict[str, Any], database: str) -> dict[str, Any]:
    collection = _collection_name(command, "delete")
    deleted = sum(session.server.store.delete(database, collection, statement.get("q") or {},
                                              int(statement.get("limit") or 0))
                  for statement in command.get("deletes") or [])
    return {"n": deleted, "ok": 1.0}


def _drop(session: Session, command: dict[str, Any], database: str) -> dict[str, Any]:
    collection = _collection_name(command, "drop")
    if not session.server.store.drop(database, collection):
        raise CommandError(26, "NamespaceNotFound", "ns not found")
    return {"nIndexesWas": 1, "ns": f"{database}.{collection}", "ok": 1.0}


def _drop_database(session: Session, _command: dict[str, Any], database: str) -> dict[str, Any]:
    session.server.store.drop_database(database)
    return {"dropped": database, "ok": 1.0}


COMMANDS: dict[str, Callable[[Session, dict[str, Any], str], dict[str, Any]]] = {
    "hello": _hello, "isMaster": _hello, "ismaster": _hello, "ping": _ping, "buildInfo": _build_info,
    "buildinfo": _build_info, "saslStart": _sasl_start, "saslContinue": _sasl_continue,
    "endSessions": _end_sessions, "insert": _insert, "find": _find, "getMore": _get_more,
    "killCursors": _kill_cursors, "listDatabases": _list_databases, "listCollections": _list_collections,
    "delete": _delete, "drop": _drop, "dropDatabase": _drop_database,
}


class _Handler(socketserver.BaseRequestHandler):
    server: _TCPServer

    def handle(self) -> None:
        raw: socket.socket = self.request
        raw.settimeout(HANDSHAKE_TIMEOUT)
        try:
            sock = self.server.context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            return  # a plaintext client, or one that does not trust the sandbox CA
        sock.settimeout(None)
        host = getattr(sock, "sandbox_server_name", None) or HOST
        session = Session(self.server, host, next(self.server.connection_ids))
        with self.server.tracked(sock) as accepted:
            if accepted:
                self._serve(sock, session)

    def _serve(self, sock: ssl.SSLSocket, session: Session) -> None:
        with contextlib.suppress(OSError, ValueError, struct.error, BSONError):
            while True:
                header = _receive(sock, 16)
                if header is None:
                    return
                length, request_id, _response_to, opcode = struct.unpack("<iiii", header)
                if not 16 < length <= MAX_MESSAGE_SIZE:
                    return
                payload = _receive(sock, length - 16)
                if payload is None:
                    return
                reply = self._answer(session, opcode, payload)
                if reply is not None:
                    sock.sendall(frame(reply[0], next(self.server.request_ids), request_id, reply[1]))

    def _answer(self, session: Session, opcode: int, payload: bytes) -> tuple[int, bytes] | None:
        """(opcode, payload) of the reply; None for a message that wants none.

        Other opcodes end the connection: OP_COMPRESSED never comes, as hello advertises no compressor.
        """
        if opcode == OP_MSG:
            flags, command = parse_op_msg(payload)
            answer = session.run(next(iter(command), ""), command, str(command.get("$db") or "admin"))
            return None if flags & MORE_TO_COME else (OP_MSG, op_msg(answer))
        if opcode == OP_QUERY:
            namespace, command = parse_op_query(payload)
            database, _, collection = namespace.partition(".")
            if collection != "$cmd":
                answer = CommandError(352, "UnsupportedOpQueryCommand",
                                      "OP_QUERY is supported for commands only").reply()
            else:
                answer = session.run(next(iter(command), ""), command, database)
            return OP_REPLY, op_reply(answer)
        raise ValueError(f"unsupported opcode {opcode}")


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, cluster_id: str, port: int, store: Store, context: ssl.SSLContext) -> None:
        super().__init__((AWS_HOST, port), _Handler)
        self.cluster_id = cluster_id
        self.context = context
        self.store = store
        self.connection_ids = itertools.count(1)
        self.request_ids = itertools.count(1)
        self._lock = threading.Lock()
        self._closed = False
        self._sockets: set[ssl.SSLSocket] = set()
        self._cursors: dict[int, tuple[str, list[dict[str, Any]]]] = {}

    @property
    def credentials(self) -> scram.Credentials:
        return self.store.credentials

    @contextlib.contextmanager
    def tracked(self, sock: ssl.SSLSocket) -> Any:
        """Yields whether to serve ``sock``: not once the server is closed (its handshake may end after that)."""
        with self._lock:
            if not self._closed:
                self._sockets.add(sock)
        try:
            yield not self._closed
        finally:
            with self._lock:
                self._sockets.discard(sock)

    def disconnect_all(self) -> None:
        with self._lock:
            self._closed = True
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def open_cursor(self, namespace: str, documents: list[dict[str, Any]]) -> int:
        cursor_id = secrets.randbits(62) + 1
        with self._lock:
            self._cursors[cursor_id] = (namespace, documents)
        return cursor_id

    def next_batch(self, cursor_id: int, namespace: str, size: int) -> tuple[list[dict[str, Any]], bool]:
        """The next ``size`` documents (all without a size) of a cursor, and whether any remain."""
        with self._lock:
            cursor = self._cursors.pop(cursor_id, None)
            if cursor is None or cursor[0] != namespace:
                raise CommandError(43, "CursorNotFound", f"cursor id {cursor_id} not found")
            documents = cursor[1]
            batch, rest = documents[:size or len(documents)], documents[size or len(documents):]
            if rest:
                self._cursors[cursor_id] = (namespace, rest)
        return batch, bool(rest)

    def close_cursor(self, cursor_id: int) -> bool:
        with self._lock:
            return self._cursors.pop(cursor_id, None) is not None


# --- servers, one per cluster --------------------------------------------------------------------------------


def _context(cluster_id: str) -> ssl.SSLContext:
    cert, key = tls.server_certificate(f"docdb-{cluster_id}")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert), str(key))

    def remember_name(sock: Any, server_name: str | None, _context: ssl.SSLContext) -> None:
        # hello must report the host the client dialled as ``me``, or replica-set discovery drops the server.
        sock.sandbox_server_name = server_name

    context.sni_callback = remember_name
    return context


class Server:
    """The running server of one cluster: ``port``, ``store``, ``answers()``, ``set_master_password()``,
    ``stop()``."""

    def __init__(self, cluster_id: str, port: int, username: str, password: str, seed: Dataset | None = None) -> None:
        self.cluster_id = cluster_id
        self.port = port
        store = Store(scram.mongodb_credentials(username, password), seed)
        self._tcp = _TCPServer(cluster_id, port, store, _context(cluster_id))
        self._thread = threading.Thread(target=self._tcp.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"documentdb-{cluster_id}", daemon=True)
        self._thread.start()

    @property
    def store(self) -> Store:
        return self._tcp.store

    def alive(self) -> bool:
        return self._thread.is_alive()

    def set_master_password(self, password: str) -> None:
        """The master user logs in with ``password`` from now on (new connections; open ones stay logged in)."""
        self.store.set_credentials(scram.mongodb_credentials(self.store.credentials.username, password))

    def answers(self, timeout: float = 2.0) -> bool:
        """Whether a TLS client verifying the sandbox CA gets an ``ok`` hello back."""
        context = ssl.create_default_context(cafile=str(tls.ca_bundle()))
        try:
            with socket.create_connection((HOST, self.port), timeout=timeout) as raw, \
                    context.wrap_socket(raw, server_hostname=HOST) as sock:
                sock.sendall(frame(OP_MSG, 1, 0, op_msg({"hello": 1, "$db": "admin"})))
                header = _receive(sock, 16)
                if header is None:
                    return False
                payload = _receive(sock, struct.unpack("<i", header[:4])[0] - 16)
                return payload is not None and parse_op_msg(payload)[1].get("ok") == 1.0
        except (OSError, ValueError, struct.error):
            return False

    def stop(self) -> None:
        """Stop listening and drop every open connection, as a deleted cluster does (once; later calls do nothing)."""
        if not self._thread.is_alive():
            return
        self._tcp.shutdown()
        self._tcp.server_close()
        self._tcp.disconnect_all()
        self._thread.join(timeout=5)

    def describe(self) -> dict[str, Any]:
        return {"engine": "docdb", "resource": self.cluster_id, "host": HOST, "port": self.port, "pid": os.getpid(),
                "alive": self.alive(), "tls": True}


_LOCK = threading.RLock()
_SERVERS: dict[str, Server] = {}


def _first_port() -> int:
    """SANDBOX_DOCDB_FIRST_PORT read now, so tests can move the range after import."""
    override = os.environ.get("SANDBOX_DOCDB_FIRST_PORT")
    return int(override) if override else state.DOCDB_FIRST_PORT


def create(cluster_id: str, username: str, password: str, seed: Dataset | None = None) -> Server:
    """Start a server for ``cluster_id`` (replacing a previous one of the same id) on the first free port: empty
    with ``username``/``password`` as its master user, or holding ``seed``'s data and master user."""
    with _LOCK:
        old = _SERVERS.pop(cluster_id, None)
        if old is not None:
            _stop(old)
        port = free_port(_first_port())
        try:
            server = Server(cluster_id, port, username, password, seed)
        except OSError:
            release_port(port)
            raise
        _SERVERS[cluster_id] = server
    LOG.info("documentdb for %s listens on %s:%s", cluster_id, HOST, port)
    return server


def get(cluster_id: str) -> Server | None:
    with _LOCK:
        return _SERVERS.get(cluster_id)


def _stop(server: Server) -> None:
    server.stop()
    release_port(server.port)


def delete(server: Server) -> None:
    """Stop ``server`` and forget it (a cluster re-created under the same id keeps its new one)."""
    with _LOCK:
        if _SERVERS.get(server.cluster_id) is server:
            del _SERVERS[server.cluster_id]
    _stop(server)


def stop_all() -> None:
    """Stop every server (their data lives in memory and goes with them; snapshots stay on disk)."""
    with _LOCK:
        servers = list(_SERVERS.values())
        _SERVERS.clear()
    for server in servers:
        _stop(server)


def servers() -> list[dict[str, Any]]:
    """engine, resource, host, port, pid, alive and tls of each running server."""
    with _LOCK:
        return [server.describe() for server in _SERVERS.values()]
