"""Injected throttling and server errors, answered before moto sees the request.

AWS throttles bursts of API calls and occasionally fails with 5xx; the collection must retry through
both. Faults are drawn from a seeded RNG so a failing run can be reproduced, and they use each
protocol's real error shape so botocore classifies them exactly as it would AWS's.
"""

from __future__ import annotations

import fnmatch
import json
import random
import threading
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from sandbox.ledger import Call

THROTTLE = "throttle"
ERROR = "error"


@dataclass
class Rule:
    """Fault rates for the calls a rule matches (``*`` and shell patterns allowed in service and action)."""

    service: str = "*"
    action: str = "*"
    throttle_rate: float = 0.0
    error_rate: float = 0.0
    limit: int | None = None  # at most this many faults from this rule (None: no limit)
    injected: int = field(default=0, compare=False)

    def matches(self, call: Call) -> bool:
        return fnmatch.fnmatchcase(call.service.lower(), self.service.lower()) and fnmatch.fnmatchcase(
            call.action, self.action
        )

    @property
    def specificity(self) -> int:
        return 2 * (self.service != "*") + (self.action != "*")


def parse_rule(data: dict[str, Any]) -> Rule:
    """A rule from its JSON form; ValueError names what is wrong."""
    unknown = set(data) - {"service", "action", "throttle_rate", "error_rate", "limit", "injected"}
    if unknown:
        raise ValueError(f"unknown rule keys: {sorted(unknown)}")
    rule = Rule(
        service=str(data.get("service") or "*"),
        action=str(data.get("action") or "*"),
        throttle_rate=float(data.get("throttle_rate") or 0.0),
        error_rate=float(data.get("error_rate") or 0.0),
        limit=None if data.get("limit") is None else int(data["limit"]),
    )
    for name in ("throttle_rate", "error_rate"):
        if not 0.0 <= getattr(rule, name) <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1")
    if rule.throttle_rate + rule.error_rate > 1.0:
        raise ValueError("throttle_rate + error_rate must not exceed 1")
    if rule.limit is not None and rule.limit < 0:
        raise ValueError("limit must be 0 or more")
    return rule


class Faults:
    """The fault configuration and its RNG; ``decide`` is called once per AWS request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seed: int | None = None
        self._rules: list[Rule] = []
        self._rng = random.Random()

    def configure(self, config: dict[str, Any]) -> None:
        """Replace the configuration (``{"seed": n, "rules": [...]}``); ValueError leaves it unchanged."""
        if not isinstance(config, dict):
            raise ValueError("fault configuration must be a JSON object")
        unknown = set(config) - {"seed", "rules"}
        if unknown:
            raise ValueError(f"unknown keys: {sorted(unknown)}")
        rules = [parse_rule(rule) for rule in config.get("rules") or []]
        seed = config.get("seed")
        seed = None if seed is None else int(seed)
        with self._lock:
            self._seed, self._rules = seed, rules
            self._rng = random.Random(seed)

    def config(self) -> dict[str, Any]:
        with self._lock:
            return {"seed": self._seed, "rules": [asdict(rule) for rule in self._rules]}

    def decide(self, call: Call) -> str | None:
        """THROTTLE, ERROR or None for this call, by the most specific matching rule (later rules win ties)."""
        with self._lock:
            rule = None
            for candidate in self._rules:
                if candidate.matches(call) and (rule is None or candidate.specificity >= rule.specificity):
                    rule = candidate
            if rule is None or (rule.throttle_rate == 0 and rule.error_rate == 0):
                return None
            if rule.limit is not None and rule.injected >= rule.limit:
                return None
            draw = self._rng.random()
            if draw < rule.throttle_rate:
                kind = THROTTLE
            elif draw < rule.throttle_rate + rule.error_rate:
                kind = ERROR
            else:
                return None
            rule.injected += 1
            return kind

    def server_error_status(self) -> int:
        """503 or 500, drawn from the same seeded RNG."""
        with self._lock:
            return 503 if self._rng.random() < 0.5 else 500


def error_response(call: Call, kind: str, status: int = 503, content_type: str | None = None) -> tuple[
    int, list[tuple[str, str]], bytes
]:
    """(HTTP status, headers, body) of a throttling or server error in the call's protocol."""
    request_id = str(uuid.uuid4())
    if kind == THROTTLE:
        code, message, status = "Throttling", "Rate exceeded", 400
        if call.protocol in ("json", "rest-json"):
            code = "ThrottlingException"
        elif call.protocol == "ec2":
            # EC2 throttles with its own code, and answers it with HTTP 503.
            code, message, status = "RequestLimitExceeded", "Request limit exceeded.", 503
        elif call.protocol == "rest-xml" and call.service == "s3":
            code, message, status = "SlowDown", "Please reduce your request rate.", 503
    else:
        code, message = ("ServiceUnavailable", "Service is unavailable.") if status == 503 else (
            "InternalFailure", "An internal error occurred."
        )
        if call.service == "s3":
            code = "ServiceUnavailable" if status == 503 else "InternalError"
    headers = [("x-amzn-RequestId", request_id), ("x-amz-request-id", request_id)]
    if call.protocol in ("json", "rest-json"):
        body = json.dumps({"__type": code, "message": message}).encode()
        default_type = "application/x-amz-json-1.1" if call.protocol == "json" else "application/json"
        headers += [("Content-Type", content_type or default_type), ("x-amzn-ErrorType", code)]
    elif call.protocol == "ec2":
        body = (
            f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code>"
            f"<Message>{message}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
        ).encode()
        headers.append(("Content-Type", "text/xml;charset=UTF-8"))
    elif call.service == "s3":
        body = (
            f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        ).encode()
        headers.append(("Content-Type", "application/xml"))
    else:
        error_type = "Sender" if kind == THROTTLE else "Receiver"
        body = (
            f"<ErrorResponse><Error><Type>{error_type}</Type><Code>{code}</Code><Message>{message}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers.append(("Content-Type", "text/xml"))
    headers.append(("Content-Length", str(len(body))))
    return status, headers, body
