"""A fake OpenSearch security plugin REST API over HTTPS, one per sandbox OpenSearch domain.

It answers the parts of ``/_plugins/_security`` the collection uses (roles, role mappings, internal users,
authinfo), ``/`` and ``/_cluster/health`` with the shapes a real domain returns, so the security modules and the
connection check run unchanged against it, a small document API (``/<index>/_doc/<id>``, ``/<index>/_search``,
kept in memory) on which index permissions are enforced, and the service's automated snapshots
(``GET /_snapshot/cs-automated-enc/_all``, ``cs-automated`` without encryption at rest) in the shape of the snapshot
API, to principals whose roles allow ``cluster:admin/snapshot/get``.

Requests authenticate as Amazon OpenSearch Service's do: HTTP basic against the internal user database, seeded with
the master user (mapped to ``all_access`` and ``security_manager``), or SigV4 (``sigv4.verify``) as an IAM principal.
A signing IAM user is matched by its ARN as a user, an assumed role by its role ARN as a backend role; the domain's
IAM master (``MasterUserARN``) has ``all_access`` and ``security_manager``.
"""

from __future__ import annotations

import base64
import copy
import datetime
import fnmatch
import hashlib
import hmac
import json
import os
import re
import ssl
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from sandbox import tls
from sandbox.dataplane import sigv4
from sandbox.state import ACCOUNT_ID, REGION, state_dir

KINDS = ("roles", "rolesmapping", "internalusers")
_FLAGS = {"reserved": False, "hidden": False, "static": False}
_ALLOWED_KEYS = {
    "roles": {"cluster_permissions", "index_permissions", "tenant_permissions", "description"},
    "rolesmapping": {"backend_roles", "and_backend_roles", "hosts", "users", "description"},
    "internalusers": {"password", "hash", "backend_roles", "attributes", "opendistro_security_roles", "description"},
}
_INDEX_PERMISSION_KEYS = {"index_patterns", "allowed_actions", "dls", "fls", "masked_fields"}
_NAME = re.compile(r"^[^/\s][^/]*$")
_INDEX = re.compile(r"^[a-z0-9][a-z0-9_.+-]*$")
_ADMIN_ROLES = ("all_access", "security_manager")
# The security plugin's static action groups, as far as the document API needs them.
_READ = ("indices:data/read/*", "indices:admin/mappings/fields/get*", "indices:admin/resolve/index")
_WRITE = ("indices:data/write/*", "indices:admin/mapping/put")
_COMPOSITE_READ = ("indices:data/read/mget", "indices:data/read/msearch", "indices:data/read/mtv",
                   "indices:admin/aliases/exists*", "indices:admin/aliases/get*", "indices:data/read/scroll",
                   "indices:admin/resolve/index")
ACTION_GROUPS: dict[str, tuple[str, ...]] = {
    "indices_all": ("indices:*",),
    "read": _READ,
    "write": _WRITE,
    "crud": _READ + _WRITE,
    "data_access": ("indices:data/*", *_WRITE),
    "search": ("indices:data/read/search*", "indices:data/read/msearch*", "indices:data/read/suggest*"),
    "get": ("indices:data/read/get*", "indices:data/read/mget*"),
    "index": ("indices:data/write/index*", "indices:data/write/update*", "indices:data/write/bulk*",
              "indices:admin/mapping/put"),
    "delete": ("indices:data/write/delete*", "indices:data/write/bulk*"),
    "create_index": ("indices:admin/create", "indices:admin/mapping/put"),
    "manage": ("indices:monitor/*", "indices:admin/*"),
    "indices_monitor": ("indices:monitor/*",),
    "cluster_all": ("cluster:*",),
    "cluster_monitor": ("cluster:monitor/*",),
    "manage_snapshots": ("cluster:admin/snapshot/*", "cluster:admin/repository/*"),
    "cluster_composite_ops_ro": _COMPOSITE_READ,
    "cluster_composite_ops": (*_COMPOSITE_READ, "indices:data/write/bulk", "indices:admin/aliases*",
                              "indices:data/write/reindex"),
}
# Amazon OpenSearch Service takes a snapshot every hour (OpenSearch, and Elasticsearch from 5.3) and keeps 336 of
# them, 14 days; SnapshotOptions.AutomatedSnapshotStartHour only applies to older Elasticsearch.
SNAPSHOT_INTERVAL = datetime.timedelta(hours=1)
SNAPSHOTS_KEPT = 336
SNAPSHOT_SECONDS = 1.0
ENGINE = "2.13.0"


def _builtin_roles() -> dict[str, dict[str, Any]]:
    def role(cluster: list[str], index: list[dict[str, Any]], static: bool = False) -> dict[str, Any]:
        return {"reserved": True, "hidden": False, "static": static, "cluster_permissions": cluster,
                "index_permissions": index, "tenant_permissions": []}

    every_index = {"index_patterns": ["*"], "dls": "", "fls": [], "masked_fields": []}
    return {
        "all_access": role(["*"], [{**every_index, "allowed_actions": ["*"]}], static=True)
        | {"tenant_permissions": [{"tenant_patterns": ["*"], "allowed_actions": ["kibana_all_write"]}]},
        "readall": role(["cluster_composite_ops_ro"], [{**every_index, "allowed_actions": ["read"]}]),
        "readall_and_monitor": role(["cluster_monitor", "cluster_composite_ops_ro"],
                                    [{**every_index, "allowed_actions": ["read", "indices_monitor"]}]),
        "security_manager": role(["cluster:admin/opendistro_security/*", "restapi:admin/*"], []),
        "manage_snapshots": role(["manage_snapshots"], [{**every_index, "allowed_actions": [
            "indices:data/write/index", "indices:admin/create"]}]),
        "opensearch_dashboards_user": role(["cluster_composite_ops"], []),
        "kibana_server": role(["cluster_monitor", "cluster_composite_ops", "indices:admin/template*"],
                              [{**every_index, "index_patterns": [".kibana", ".kibana_*"],
                                "allowed_actions": ["indices_all"]}], static=True),
    }


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 10_000)
    return f"pbkdf2_sha256${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _scheme, salt, _digest = stored.split("$")
    except ValueError:
        return False
    return hmac.compare_digest(hash_password(password, bytes.fromhex(salt)), stored)


def allows(allowed_actions: list[str], action: str) -> bool:
    """Whether a role's ``allowed_actions`` (action names, patterns or action groups) cover ``action``."""
    patterns = [pattern for name in allowed_actions for pattern in ACTION_GROUPS.get(name, (name,))]
    return any(pattern == "*" or fnmatch.fnmatchcase(action, pattern) for pattern in patterns)


@dataclass(frozen=True)
class Principal:
    """Who a request authenticated as: an internal user's name, or an IAM principal's ARN, and its backend roles."""

    name: str
    backend_roles: tuple[str, ...] = ()
    iam: bool = False

    def describe(self) -> str:
        """The plugin's rendering of a user, in authinfo and in permission errors."""
        return f"User [name={self.name}, backend_roles=[{', '.join(self.backend_roles)}], requestedTenant=null]"


class SecurityStore:
    """The security index of one domain: roles, role mappings and internal users (with hashed passwords), and the
    domain's IAM master (``master_arn``), which is not part of the index."""

    def __init__(self, master_user: str, master_password: str, master_arn: str | None = None) -> None:
        self.lock = threading.Lock()
        self.master_arn = master_arn
        self.data: dict[str, dict[str, dict[str, Any]]] = {
            "roles": _builtin_roles(),
            "rolesmapping": {
                name: {**_FLAGS, "backend_roles": [], "and_backend_roles": [], "hosts": [], "users": [master_user]}
                for name in _ADMIN_ROLES
            },
            "internalusers": {
                master_user: {**_FLAGS, "hash": hash_password(master_password), "backend_roles": [],
                              "attributes": {}, "opendistro_security_roles": []},
            },
        }

    def authenticate(self, username: str, password: str) -> bool:
        user = self.data["internalusers"].get(username)
        return bool(user) and check_password(password, user["hash"])

    def internal(self, username: str) -> Principal:
        """An internal user as a principal, with the backend roles the internal user database gives it."""
        user = self.data["internalusers"].get(username, {})
        return Principal(username, tuple(user.get("backend_roles", [])))

    @staticmethod
    def signed(credential: sigv4.Credential) -> Principal:
        """An IAM principal: a role is its own backend role, as the plugin sees an assumed role's ARN."""
        return Principal(credential.principal, (credential.principal,) if credential.backend_role else (), iam=True)

    def roles_of(self, principal: Principal | str) -> list[str]:
        """The security roles a principal has: mapped by user name or backend role (or all of ``and_backend_roles``),
        assigned to an internal user directly, or the admin roles of the domain's IAM master."""
        if isinstance(principal, str):
            principal = self.internal(principal)
        backend = set(principal.backend_roles)
        mapped = {
            name for name, mapping in self.data["rolesmapping"].items()
            if principal.name in mapping.get("users", []) or backend & set(mapping.get("backend_roles", []))
            or (mapping.get("and_backend_roles") and set(mapping["and_backend_roles"]) <= backend)
        }
        if not principal.iam:
            mapped |= set(self.data["internalusers"].get(principal.name, {}).get("opendistro_security_roles", []))
        elif self.master_arn and principal.name == self.master_arn:
            mapped |= set(_ADMIN_ROLES)
        return sorted(mapped)

    def is_admin(self, principal: Principal | str) -> bool:
        """Whether the principal may use the security REST API (the roles AWS enables it for)."""
        return bool(set(self.roles_of(principal)) & set(_ADMIN_ROLES))

    def permitted_cluster(self, principal: Principal, action: str) -> bool:
        """Whether one of the principal's roles allows the cluster action ``action``."""
        roles = self.data["roles"]
        return any(allows(roles.get(name, {}).get("cluster_permissions", []), action)
                   for name in self.roles_of(principal))

    def permitted(self, principal: Principal, action: str, index: str) -> bool:
        """Whether one of the principal's roles allows ``action`` on ``index``."""
        roles = self.data["roles"]
        return any(
            any(fnmatch.fnmatchcase(index, pattern) for pattern in entry.get("index_patterns", []))
            and allows(entry.get("allowed_actions", []), action)
            for name in self.roles_of(principal) for entry in roles.get(name, {}).get("index_permissions", [])
        )

    @staticmethod
    def public(kind: str, entity: dict[str, Any]) -> dict[str, Any]:
        shown = copy.deepcopy(entity)
        if kind == "internalusers":
            shown["hash"] = ""  # the real API blanks the hash too
        return shown


def _validate(kind: str, body: Any) -> str | None:
    if not isinstance(body, dict):
        return "Request body required for this action."
    unknown = sorted(set(body) - _ALLOWED_KEYS[kind])
    if unknown:
        return f"Invalid configuration: unknown keys {', '.join(unknown)}"
    for key, value in body.items():
        if key in ("attributes",) and not isinstance(value, dict):
            return f"Invalid configuration: {key} must be an object"
        if key in ("password", "hash", "description") and not isinstance(value, str):
            return f"Invalid configuration: {key} must be a string"
        if key not in ("attributes", "password", "hash", "description", "index_permissions", "tenant_permissions") \
                and not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            return f"Invalid configuration: {key} must be an array of strings"
    for entry in body.get("index_permissions", []):
        if not isinstance(entry, dict) or set(entry) - _INDEX_PERMISSION_KEYS:
            return "Invalid configuration: index_permissions entries take " + ", ".join(sorted(_INDEX_PERMISSION_KEYS))
    for entry in body.get("tenant_permissions", []):
        if not isinstance(entry, dict) or set(entry) - {"tenant_patterns", "allowed_actions"}:
            return "Invalid configuration: tenant_permissions entries take tenant_patterns, allowed_actions"
    return None


def _stored(kind: str, body: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    """The entity as the plugin stores it: defaults filled in, password hashed."""
    if kind == "roles":
        return {**_FLAGS,
                "cluster_permissions": list(body.get("cluster_permissions", [])),
                "index_permissions": [{"index_patterns": e.get("index_patterns", []), "dls": e.get("dls", ""),
                                       "fls": e.get("fls", []), "masked_fields": e.get("masked_fields", []),
                                       "allowed_actions": e.get("allowed_actions", [])}
                                      for e in body.get("index_permissions", [])],
                "tenant_permissions": list(body.get("tenant_permissions", [])),
                **({"description": body["description"]} if "description" in body else {})}
    if kind == "rolesmapping":
        return {**_FLAGS, **{key: list(body.get(key, [])) for key in ("backend_roles", "and_backend_roles", "hosts",
                                                                       "users")},
                **({"description": body["description"]} if "description" in body else {})}
    if "password" in body:
        password_hash = hash_password(body["password"])
    else:
        password_hash = body.get("hash") or (existing or {}).get("hash", "")
    return {**_FLAGS, "hash": password_hash, "backend_roles": list(body.get("backend_roles", [])),
            "attributes": {str(k): str(v) for k, v in body.get("attributes", {}).items()},
            "opendistro_security_roles": list(body.get("opendistro_security_roles", [])),
            **({"description": body["description"]} if "description" in body else {})}


class Documents:
    """The domain's documents, in memory only: just enough of an index for index permissions to be exercised."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.indices: dict[str, dict[str, Any]] = {}
        self.created: dict[str, datetime.datetime] = {}

    def names_at(self, moment: datetime.datetime) -> list[str]:
        """The indices that existed at ``moment``."""
        with self.lock:
            return sorted(name for name, created in self.created.items() if created <= moment)

    def apply(self, action: str, index: str, doc_id: str | None, raw: bytes) -> tuple[int, dict[str, Any]]:
        """(status, body) of an allowed document request, shaped as OpenSearch answers it."""
        missing = {"error": {"type": "index_not_found_exception", "reason": f"no such index [{index}]",
                             "index": index}, "status": 404}
        with self.lock:
            documents = self.indices.get(index)
            if action == "indices:data/read/search":
                if documents is None:
                    return 404, missing
                hits = [{"_index": index, "_id": key, "_score": 1.0, "_source": source}
                        for key, source in documents.items()]
                return 200, {"took": 1, "timed_out": False, "hits": {
                    "total": {"value": len(hits), "relation": "eq"}, "max_score": 1.0 if hits else None,
                    "hits": hits}}
            if action == "indices:data/write/index":
                try:
                    source = json.loads(raw or b"null")
                except ValueError:
                    source = None
                if not isinstance(source, dict):
                    return 400, {"error": {"type": "mapper_parsing_exception",
                                           "reason": "failed to parse, document is empty"}, "status": 400}
                if index not in self.indices:
                    self.created[index] = datetime.datetime.now(datetime.UTC)
                documents = self.indices.setdefault(index, {})
                key = doc_id or uuid.uuid4().hex[:20]
                result = "updated" if key in documents else "created"
                documents[key] = source
                return (200 if result == "updated" else 201), {"_index": index, "_id": key, "result": result}
            if documents is None:
                return 404, missing
            if action == "indices:data/read/get":
                if doc_id not in documents:
                    return 404, {"_index": index, "_id": doc_id, "found": False}
                return 200, {"_index": index, "_id": doc_id, "found": True, "_source": documents[doc_id]}
            if documents.pop(doc_id or "", None) is None:
                return 404, {"_index": index, "_id": doc_id, "result": "not_found"}
            return 200, {"_index": index, "_id": doc_id, "result": "deleted"}


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(raw)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(raw)

    def _principal(self, raw: bytes) -> Principal | None:
        """Who signed or logged in; None once it has answered 401 (no or bad basic credentials) or 403 (a SigV4
        signature the domain refuses)."""
        header = self.headers.get("Authorization", "")
        if sigv4.is_sigv4(header):
            url = f"https://{self.headers.get('Host', '')}{self.path}"
            try:
                credential = sigv4.verify(self.command, url, self.headers.items(), raw, self.server.region,
                                          sigv4.known_credential)
            except sigv4.SignatureError as error:
                self._reply(403, {"message": str(error)})
                return None
            return self.server.store.signed(credential)
        if header.startswith("Basic "):
            try:
                username, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                username, password = "", ""
            if username and self.server.store.authenticate(username, password):
                return self.server.store.internal(username)
        self._reply(401, {"status": "UNAUTHORIZED", "message": "Unauthorized"},
                    {"WWW-Authenticate": 'Basic realm="OpenSearch Security"'})
        return None

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = urlparse(self.path).path.rstrip("/") or "/"
        self.server.record(self.command, path)
        principal = self._principal(raw)
        if principal is None:
            return
        store = self.server.store
        if path == "/" and self.command in ("GET", "HEAD"):
            self._reply(200, {"name": f"opensearch-{self.server.domain}", "cluster_name": self.server.cluster_name,
                              "version": {"distribution": "opensearch", "number": self.server.engine},
                              "tagline": "The OpenSearch Project: https://opensearch.org/"})
            return
        # Any authenticated user may ask here; a real domain also wants cluster_monitor, which the role of the
        # application user has.
        if path == "/_cluster/health" and self.command in ("GET", "HEAD"):
            self._reply(200, self.server.health())
            return
        if path == "/_plugins/_security/authinfo":
            self._reply(200, {"user": principal.describe(), "user_name": principal.name,
                              "backend_roles": list(principal.backend_roles), "roles": store.roles_of(principal),
                              "tenants": {principal.name: True}, "custom_attribute_names": []})
            return
        if path == "/_snapshot" or path.startswith("/_snapshot/"):
            self._snapshots(principal, [unquote(part) for part in path.split("/")[2:]])
            return
        document = re.fullmatch(r"/([^/_][^/]*)/(_doc|_search)(?:/([^/]+))?", path)
        if document:
            self._document(principal, unquote(document.group(1)), document.group(2),
                           unquote(document.group(3)) if document.group(3) else None, raw)
            return
        match = re.fullmatch(r"/_plugins/_security/api/(roles|rolesmapping|internalusers)(?:/([^/]+))?", path)
        if not match:
            self._reply(404, {"error": {"type": "invalid_index_name_exception", "reason": f"no handler for {path}"},
                              "status": 404})
            return
        if not store.is_admin(principal):
            self._reply(403, {"status": "FORBIDDEN", "message": f"No permission to access REST API: User "
                              f"{principal.name} with roles {store.roles_of(principal)} does not have any access to "
                              f"endpoint {match.group(1).upper()}"})
            return
        kind, name = match.group(1), unquote(match.group(2)) if match.group(2) else None
        with store.lock:
            self._api(store, kind, name, raw)
        self.server.save()

    def _document(self, principal: Principal, index: str, endpoint: str, doc_id: str | None, raw: bytes) -> None:
        """``/<index>/_doc[/<id>]`` and ``/<index>/_search``, allowed by the principal's index permissions."""
        method = self.command
        if endpoint == "_search" and doc_id is None and method in ("GET", "POST"):
            action = "indices:data/read/search"
        elif endpoint == "_doc" and doc_id is not None and method in ("GET", "HEAD"):
            action = "indices:data/read/get"
        elif endpoint == "_doc" and (method == "POST" or (doc_id is not None and method == "PUT")):
            action = "indices:data/write/index"
        elif endpoint == "_doc" and doc_id is not None and method == "DELETE":
            action = "indices:data/write/delete"
        else:
            self._reply(405, {"error": f"Incorrect HTTP method for uri [{self.path}] and method [{method}]",
                              "status": 405})
            return
        if not _INDEX.match(index):
            self._reply(400, {"error": {"type": "invalid_index_name_exception", "reason": f"Invalid index name "
                                        f"[{index}], must be lowercase"}, "status": 400})
            return
        if not self.server.store.permitted(principal, action, index):
            reason = f"no permissions for [{action}] and {principal.describe()}"
            self._reply(403, {"error": {"root_cause": [{"type": "security_exception", "reason": reason}],
                                        "type": "security_exception", "reason": reason}, "status": 403})
            return
        self._reply(*self.server.documents.apply(action, index, doc_id, raw))

    def _snapshots(self, principal: Principal, parts: list[str]) -> None:
        """``GET /_snapshot[/<repository>[/_all|<snapshot>[,<snapshot>...]]]`` of the service's automated snapshots."""
        if self.command not in ("GET", "HEAD") or len(parts) > 2:
            self._reply(405, {"error": f"Incorrect HTTP method for uri [{self.path}] and method [{self.command}], "
                                       "allowed: [GET]", "status": 405})
            return
        action = "cluster:admin/snapshot/get" if len(parts) == 2 else "cluster:admin/repository/get"
        if not self.server.store.permitted_cluster(principal, action):
            reason = f"no permissions for [{action}] and {principal.describe()}"
            self._reply(403, {"error": {"root_cause": [{"type": "security_exception", "reason": reason}],
                                        "type": "security_exception", "reason": reason}, "status": 403})
            return
        repository = self.server.repository
        if parts and parts[0] not in ("_all", "*", repository):
            error = {"type": "repository_missing_exception", "reason": f"[{parts[0]}] missing"}
            self._reply(404, {"error": {"root_cause": [error], **error}, "status": 404})
            return
        if len(parts) < 2:
            self._reply(200, {repository: {"type": "s3", "settings": {}}})
            return
        snapshots = self.server.automated_snapshots()
        if parts[1] not in ("_all", "*"):
            by_name = {snapshot["snapshot"]: snapshot for snapshot in snapshots}
            wanted = parts[1].split(",")
            missing = [name for name in wanted if name not in by_name]
            if missing:
                error = {"type": "snapshot_missing_exception", "reason": f"[{repository}:{missing[0]}] is missing"}
                self._reply(404, {"error": {"root_cause": [error], **error}, "status": 404})
                return
            snapshots = [by_name[name] for name in wanted]
        self._reply(200, {"snapshots": snapshots})

    def _api(self, store: SecurityStore, kind: str, name: str | None, raw: bytes) -> None:
        entities = store.data[kind]
        method = self.command
        if method == "GET":
            if name is None:
                self._reply(200, {key: store.public(kind, value) for key, value in entities.items()
                                  if not value.get("hidden")})
            elif name in entities and not entities[name].get("hidden"):
                self._reply(200, {name: store.public(kind, entities[name])})
            else:
                self._reply(404, {"status": "NOT_FOUND", "message": f"Resource '{name}' not found."})
            return
        if name is None:
            self._reply(405, {"error": f"Method {method} not allowed on the collection", "status": 405})
            return
        if not _NAME.match(name):
            self._reply(400, {"status": "BAD_REQUEST", "message": f"Invalid name '{name}'."})
            return
        existing = entities.get(name)
        if existing is not None and (existing.get("reserved") or existing.get("static") or existing.get("hidden")):
            self._reply(403, {"status": "FORBIDDEN", "message": f"Resource '{name}' is reserved."})
            return
        if method == "DELETE":
            if existing is None:
                self._reply(404, {"status": "NOT_FOUND", "message": f"Resource '{name}' not found."})
                return
            del entities[name]
            self._reply(200, {"status": "OK", "message": f"'{name}' deleted."})
            return
        if method != "PUT":
            self._reply(405, {"error": f"Method {method} not allowed", "status": 405})
            return
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            self._reply(400, {"status": "BAD_REQUEST", "message": "Unable to parse content"})
            return
        problem = _validate(kind, body)
        if problem is None and kind == "internalusers" and existing is None and not (body.get("password")
                                                                                      or body.get("hash")):
            problem = "Please specify either 'hash' or 'password' when creating a new internal user."
        if problem is None and kind == "rolesmapping" and name not in store.data["roles"]:
            problem = f"role '{name}' is not available for role-mapping."
        if problem:
            self._reply(400, {"status": "BAD_REQUEST", "message": problem})
            return
        entities[name] = _stored(kind, body, existing)
        if existing is None:
            self._reply(201, {"status": "CREATED", "message": f"'{name}' created."})
        else:
            self._reply(200, {"status": "OK", "message": f"'{name}' updated."})

    do_GET = do_PUT = do_DELETE = do_HEAD = do_POST = do_PATCH = _handle


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, domain: str, port: int, store: SecurityStore, data_nodes: int = 1,
                 master_nodes: int = 0, region: str = REGION, encrypted: bool = False) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.domain = domain
        self.store = store
        self.documents = Documents()
        self.encrypted = encrypted
        # When the domain became active: its automated snapshots start then.
        self.active_since: datetime.datetime | None = None
        self.data_nodes = data_nodes
        self.master_nodes = master_nodes
        # The engine version the domain runs (``/`` reports it; its snapshots carry it).
        self.engine = ENGINE
        self.region = region
        self.calls: list[tuple[str, str]] = []
        self._calls_lock = threading.Lock()

    def record(self, method: str, path: str) -> None:
        with self._calls_lock:
            self.calls.append((method, path))

    @property
    def cluster_name(self) -> str:
        return f"{ACCOUNT_ID}:{self.domain}"

    @property
    def repository(self) -> str:
        return "cs-automated-enc" if self.encrypted else "cs-automated"

    def automated_snapshots(self, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
        """The automated snapshots a domain active since ``active_since`` holds at ``now``: one each hour from the
        moment it became active, the last 336 of them, oldest first; one started less than a second ago is still
        IN_PROGRESS."""
        if self.active_since is None:
            return []
        now = now or datetime.datetime.now(datetime.UTC)
        taken = (now - self.active_since) // SNAPSHOT_INTERVAL
        return [self._snapshot(self.active_since + number * SNAPSHOT_INTERVAL, now)
                for number in range(max(0, taken - SNAPSHOTS_KEPT + 1), taken + 1)]

    def _snapshot(self, start: datetime.datetime, now: datetime.datetime) -> dict[str, Any]:
        identity = uuid.uuid5(uuid.NAMESPACE_URL, f"{self.cluster_name}/{start.isoformat()}")
        indices = sorted({".opendistro_security", *self.documents.names_at(start)})
        end = start + datetime.timedelta(seconds=SNAPSHOT_SECONDS)
        done = end <= now
        major, minor, patch = (int(part) for part in self.engine.split("."))
        return {
            "snapshot": f"{start:%Y-%m-%dt%H-%M-%S}.{identity}",
            "uuid": base64.urlsafe_b64encode(identity.bytes).decode().rstrip("="),
            # OpenSearch's version id: the version's digits, marked as OpenSearch's rather than Elasticsearch's.
            "version_id": (major * 1_000_000 + minor * 10_000 + patch * 100 + 99) ^ 0x08000000,
            "version": self.engine, "remote_store_index_shallow_copy": False, "indices": indices, "data_streams": [],
            "include_global_state": True, "state": "SUCCESS" if done else "IN_PROGRESS",
            "start_time": _iso(start), "start_time_in_millis": _millis(start),
            "end_time": _iso(end) if done else "1970-01-01T00:00:00.000Z",
            "end_time_in_millis": _millis(end) if done else 0,
            "duration_in_millis": _millis(end) - _millis(start) if done else _millis(now) - _millis(start),
            "failures": [],
            "shards": {"total": len(indices), "failed": 0, "successful": len(indices) if done else 0},
        }

    def health(self) -> dict[str, Any]:
        """``GET /_cluster/health`` of a healthy domain holding its security index (one primary, a replica on every
        other data node)."""
        return {
            "cluster_name": self.cluster_name, "status": "green", "timed_out": False,
            "number_of_nodes": self.data_nodes + self.master_nodes, "number_of_data_nodes": self.data_nodes,
            "discovered_master": True, "discovered_cluster_manager": True, "active_primary_shards": 1,
            "active_shards": self.data_nodes, "relocating_shards": 0, "initializing_shards": 0,
            "unassigned_shards": 0, "delayed_unassigned_shards": 0, "number_of_pending_tasks": 0,
            "number_of_in_flight_fetch": 0, "task_max_waiting_in_queue_millis": 0,
            "active_shards_percent_as_number": 100.0,
        }

    def save(self) -> None:
        """Keeps the security index in the sandbox state, so a restarted sandbox finds its domains as left."""
        path = _state_file(self.domain)
        with self.store.lock:
            path.write_text(json.dumps(self.store.data))
        path.chmod(0o600)


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _millis(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _state_file(domain: str) -> Path:
    directory = state_dir() / "opensearch"
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{domain}-security.json"


class Server:
    """A running fake security API for one domain: ``.port``, ``.calls`` (method, path) and ``.stop()``.

    ``master_arn`` is the domain's IAM master, ``region`` the one SigV4 requests must be scoped to.
    """

    def __init__(self, domain: str, port: int, master_user: str, master_password: str, data_nodes: int = 1,
                 master_nodes: int = 0, master_arn: str | None = None, region: str = REGION,
                 encrypted: bool = False) -> None:
        store = SecurityStore(master_user, master_password, master_arn)
        saved = _state_file(domain)
        if saved.exists():
            store.data = json.loads(saved.read_text())
        self.domain = domain
        self._httpd = _HTTPServer(domain, port, store, data_nodes, master_nodes, region, encrypted)
        cert, key = tls.server_certificate(f"opensearch-{domain}")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(str(cert), str(key))
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"opensearch-{domain}", daemon=True)
        self._thread.start()

    @property
    def endpoint(self) -> str:
        return f"https://localhost:{self.port}"

    @property
    def calls(self) -> list[tuple[str, str]]:
        return list(self._httpd.calls)

    @property
    def store(self) -> SecurityStore:
        return self._httpd.store

    def save(self) -> None:
        """Write the security index to the sandbox state now (after a change made through ``store``)."""
        self._httpd.save()

    def activate(self, moment: datetime.datetime | None = None) -> None:
        """The domain became active (now, or at ``moment``): its hourly automated snapshots start."""
        self._httpd.active_since = moment or datetime.datetime.now(datetime.UTC)

    def set_encrypted(self, encrypted: bool) -> None:
        """Whether the domain encrypts at rest, which names its automated snapshot repository."""
        self._httpd.encrypted = encrypted

    def automated_snapshots(self, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
        return self._httpd.automated_snapshots(now)

    @property
    def engine(self) -> str:
        return self._httpd.engine

    def set_engine(self, version: str) -> None:
        """The engine version the domain runs, as ``/`` reports it (``2.19.0``)."""
        self._httpd.engine = version

    def set_nodes(self, data_nodes: int, master_nodes: int) -> None:
        """The node counts ``/_cluster/health`` reports, after a change of the domain's cluster configuration."""
        self._httpd.data_nodes, self._httpd.master_nodes = data_nodes, master_nodes

    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def start(domain: str, port: int, master_user: str, master_password: str, data_nodes: int = 1,
          master_nodes: int = 0, master_arn: str | None = None, region: str = REGION,
          encrypted: bool = False) -> Server:
    """Serve the security API of ``domain`` on 127.0.0.1:``port`` (0 picks a free port) until ``.stop()``; the node
    counts are what ``/_cluster/health`` reports, ``master_arn`` the domain's IAM master, if any, ``encrypted``
    whether it encrypts at rest."""
    return Server(domain, port, master_user, master_password, data_nodes, master_nodes, master_arn, region,
                  encrypted)
