"""Counts the AWS API calls the sandbox answers, so tests can assert how many calls (and which) a run made.

The design promises cheap no-op runs and check modes that make no mutating call; the ledger is how
both are measured. Calls are keyed ``service:Action``: the service is the SigV4 credential scope, the
action comes from the request the way each AWS protocol carries it.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

READ_PREFIXES = (
    "Describe", "List", "Get", "Head", "Search", "Check", "Lookup", "Validate", "BatchGet",
    "Query", "Scan", "Select", "Filter", "Download", "Simulate", "Estimate", "Preview",
)

# Signing names whose botocore model is called differently; REST operations are looked up in these models.
REST_MODELS = {
    "es": ("opensearch", "es"),
    "aoss": ("opensearchserverless",),
    "execute-api": ("apigateway",),
    "elasticfilesystem": ("efs",),
    "elasticloadbalancing": ("elbv2",),
}


@dataclass(frozen=True)
class Call:
    """What one request asked for: the signing service, the operation, and the wire protocol."""

    service: str
    action: str
    protocol: str  # query | ec2 | json | rest-json | rest-xml

    @property
    def key(self) -> str:
        return f"{self.service}:{self.action}"

    @property
    def read(self) -> bool:
        return is_read(self.action)


def is_read(action: str) -> bool:
    """Whether an operation only reads (by AWS naming convention); a ``METHOD /path`` fallback by its method."""
    if " " in action:
        return action.split(" ", 1)[0] in ("GET", "HEAD", "OPTIONS")
    return action.startswith(READ_PREFIXES)


def signing_service(authorization: str | None) -> str | None:
    """The service of a SigV4 ``Authorization`` header's credential scope."""
    if not authorization:
        return None
    match = re.search(r"Credential=[^/,\s]+/\d{8}/[^/]+/([^/]+)/aws4_request", authorization)
    return match.group(1).lower() if match else None


def classify(method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Call:
    """Name the call a request makes, whatever its protocol. ``headers`` are keyed in lower case."""
    service = signing_service(headers.get("authorization")) or "unsigned"
    target = headers.get("x-amz-target")
    if target:
        return Call(service, target.rsplit(".", 1)[-1], "json")
    params = parse_qs(query, keep_blank_values=True)
    if "Action" not in params and headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        params = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    if "Action" in params:
        return Call(service, params["Action"][0], "ec2" if service == "ec2" else "query")
    protocol, operation = rest_operation(service, method, path, params, headers)
    return Call(service, operation or f"{method} {path}", protocol)


def rest_operation(
    service: str, method: str, path: str, params: dict[str, list[str]], headers: dict[str, str] | None = None
) -> tuple[str, str | None]:
    """(protocol, operation name) of a REST request, matched against the service's botocore model.

    Operations sharing a URI (S3 PutObject/CopyObject) are told apart by their required headers and query keys; where
    that leaves a tie, the operation botocore does not mark deprecated wins (S3 PutBucketLifecycleConfiguration, not
    PutBucketLifecycle), since that is what SDKs send.
    """
    headers = headers or {}
    routes = _routes(service)
    best: tuple[tuple[int, bool], str] | None = None
    protocol = _protocol(service)
    for route in routes:
        if route.method != method or not route.pattern.fullmatch(path.rstrip("/") or "/"):
            continue
        if any(key not in params or (value is not None and value not in params[key]) for key, value in route.query):
            continue
        if any(header not in headers for header in route.headers):
            continue
        rank = (route.score, not route.deprecated)
        if best is None or rank > best[0]:
            best = (rank, route.name)
    return protocol, best[1] if best else None


@dataclass(frozen=True)
class _Route:
    name: str
    method: str
    pattern: re.Pattern[str]
    query: tuple[tuple[str, str | None], ...]
    headers: tuple[str, ...]
    score: int
    deprecated: bool


def _models(service: str) -> list[Any]:
    import botocore.session  # deferred: loading botocore models is only needed for REST requests

    session = _session()
    models = []
    for name in REST_MODELS.get(service, (service,)):
        try:
            models.append(session.get_service_model(name))
        except botocore.exceptions.UnknownServiceError:
            continue
    return models


@lru_cache(maxsize=1)
def _session() -> Any:
    import botocore.session

    return botocore.session.get_session()


@lru_cache(maxsize=64)
def _protocol(service: str) -> str:
    models = _models(service)
    protocol = models[0].metadata.get("protocol", "rest-json") if models else "rest-json"
    return protocol if protocol in ("rest-json", "rest-xml") else "rest-json"


@lru_cache(maxsize=64)
def _routes(service: str) -> tuple[_Route, ...]:
    routes = []
    for model in _models(service):
        for name in model.operation_names:
            operation = model.operation_model(name)
            http = operation.http
            uri = http.get("requestUri", "/")
            path, _, query = uri.partition("?")
            regex, literal = "", 0
            for part in re.split(r"(\{[^}]+\})", path.rstrip("/") or "/"):
                if part.startswith("{"):
                    regex += ".+" if part.endswith("+}") else "[^/]+"
                else:
                    regex += re.escape(part)
                    literal += len(part)
            query_items = [
                (key, value or None) for key, _, value in (item.partition("=") for item in query.split("&") if item)
            ]
            required_headers = []
            shape = operation.input_shape
            for member in getattr(shape, "required_members", []) if shape is not None else []:
                location = shape.members[member].serialization.get("location")
                wire_name = shape.members[member].serialization.get("name", member)
                if location == "header":
                    required_headers.append(wire_name.lower())
                elif location == "querystring":
                    query_items.append((wire_name, None))
            score = literal + 100 * (len(query_items) + len(required_headers))
            routes.append(
                _Route(name, http.get("method", "POST"), re.compile(regex), tuple(query_items),
                       tuple(required_headers), score, operation.deprecated)
            )
    return tuple(routes)


class Ledger:
    """Thread-safe call counters: mutating and read calls, and how many of each a fault answered."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mutating: Counter[str] = Counter()
        self._read: Counter[str] = Counter()
        self._faulted: Counter[str] = Counter()
        self._faulted_mutating = 0
        self._faulted_read = 0

    def record(self, call: Call, faulted: bool = False) -> None:
        with self._lock:
            (self._read if call.read else self._mutating)[call.key] += 1
            if faulted:
                self._faulted[call.key] += 1
                if call.read:
                    self._faulted_read += 1
                else:
                    self._faulted_mutating += 1

    def snapshot(self) -> dict[str, Any]:
        """The counters as JSON-ready data (the ``GET /_sandbox/calls`` body)."""
        with self._lock:
            return {
                "mutating": dict(sorted(self._mutating.items())),
                "read": dict(sorted(self._read.items())),
                "faulted": dict(sorted(self._faulted.items())),
                "totals": {
                    "mutating": sum(self._mutating.values()),
                    "read": sum(self._read.values()),
                    "faulted": sum(self._faulted.values()),
                    "faulted_mutating": self._faulted_mutating,
                    "faulted_read": self._faulted_read,
                },
            }

    def reset(self) -> None:
        with self._lock:
            self._mutating.clear()
            self._read.clear()
            self._faulted.clear()
            self._faulted_mutating = self._faulted_read = 0
