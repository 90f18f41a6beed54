# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client for the OpenSearch security plugin REST API (roles, role mappings, internal users).

No AWS API manages fine-grained access control inside a domain: it is the domain's own REST API,
authenticated either with the master user's password (basic) or with SigV4 when the master user is
an IAM role.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlparse

from ansible.module_utils.urls import open_url

try:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
except ImportError:  # amazon.aws' module class reports the missing library
    pass

API_PREFIX = "/_plugins/_security/api"

# The module's resource kinds and the API's endpoint names for them.
KINDS = {"role": "roles", "role_mapping": "rolesmapping", "internal_user": "internalusers"}

# Metadata the security plugin adds to every entity; never part of a desired definition.
METADATA_KEYS = ("reserved", "hidden", "static")

RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))


def security_argument_spec() -> dict[str, Any]:
    """Options shared by the security modules (the AWS credential options come from the module class)."""
    return dict(
        endpoint=dict(type="str", required=True),
        auth=dict(type="str", default="basic", choices=["basic", "sigv4"]),
        master_username=dict(type="str"),
        master_password=dict(type="str", no_log=True),
        ca_bundle=dict(type="path"),
        timeout=dict(type="int", default=30),
    )


SECURITY_REQUIRED_IF = [("auth", "basic", ["master_username", "master_password"])]


class SecurityApiError(Exception):
    """An error answer (or no answer) from the security API, with a message fit for the user."""

    def __init__(self, message: str, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body


def validate_endpoint(endpoint: str) -> str:
    """The endpoint as ``https://host[:port]`` (no trailing slash); raises ValueError naming the option."""
    parsed = urlparse(endpoint or "")
    if parsed.scheme != "https" or not parsed.hostname:
        raise ValueError(
            f"endpoint must be an https URL such as https://vpc-x.us-east-1.es.amazonaws.com, got {endpoint!r}"
        )
    if parsed.path not in ("", "/") or parsed.query or parsed.fragment:
        raise ValueError(f"endpoint must be the domain's base URL without a path, got {endpoint!r}")
    return f"https://{parsed.netloc}"


def sigv4_headers(
    method: str, url: str, body: bytes | None, headers: dict[str, str], credentials: Any, region: str
) -> dict[str, str]:
    """Headers of a request signed for the ``es`` service (Amazon OpenSearch Service domains)."""
    request = AWSRequest(method=method, url=url, data=body or b"", headers=dict(headers))
    # Domains reject signed requests without the payload hash header.
    request.headers["X-Amz-Content-SHA256"] = SigV4Auth(credentials, "es", region).payload(request)
    SigV4Auth(credentials, "es", region).add_auth(request)
    return dict(request.headers.items())


def _error_message(status: int, body: Any, method: str, path: str) -> str:
    detail = ""
    if isinstance(body, dict):
        detail = body.get("message") or body.get("reason") or ""
        if isinstance(body.get("error"), dict):
            detail = body["error"].get("reason", detail)
        elif isinstance(body.get("error"), str):
            detail = body["error"]
    elif body:
        detail = str(body)[:300]
    if status == 401:
        return (
            f"Authentication to the domain failed (HTTP 401) on {method} {path}: "
            "check master_username/master_password (auth=basic) or the AWS credentials (auth=sigv4)"
        )
    if status == 403:
        return f"The domain refused {method} {path} (HTTP 403): {detail or 'forbidden'}"
    return f"{method} {path} failed with HTTP {status}: {detail or 'no details'}"


class SecurityClient:
    """Requests to one domain's security API, with bounded retries on throttling and server errors."""

    def __init__(
        self,
        endpoint: str,
        auth: str = "basic",
        username: str | None = None,
        password: str | None = None,
        credentials: Any = None,
        region: str | None = None,
        ca_bundle: str | None = None,
        validate_certs: bool = True,
        timeout: int = 30,
        max_attempts: int = 5,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if auth not in ("basic", "sigv4"):
            raise ValueError(f"auth must be one of basic, sigv4, got {auth!r}")
        if auth == "basic" and not (username and password):
            raise ValueError("auth=basic needs master_username and master_password")
        if auth == "sigv4" and (credentials is None or not region):
            raise ValueError("auth=sigv4 needs AWS credentials and a region")
        self.endpoint = validate_endpoint(endpoint)
        self.auth = auth
        self.username = username
        self.password = password
        self.credentials = credentials
        self.region = region
        self.ca_bundle = ca_bundle
        self.validate_certs = validate_certs
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff
        self.sleep = sleep

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """(status, decoded JSON body) of a request; 404 is returned, other errors raise SecurityApiError."""
        url = self.endpoint + path
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(1, self.max_attempts + 1):
            status, payload, retry_after = self._send(method, url, path, data)
            if status not in RETRY_STATUSES or attempt == self.max_attempts:
                break
            self.sleep(retry_after if retry_after is not None else min(self.backoff * 2 ** (attempt - 1), 20.0))
        if status >= 400 and status != 404:
            raise SecurityApiError(_error_message(status, payload, method, path), status, payload)
        return status, payload

    def _send(self, method: str, url: str, path: str, data: bytes | None) -> tuple[int, Any, float | None]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        kwargs: dict[str, Any] = {}
        if self.auth == "sigv4":
            headers = sigv4_headers(method, url, data, headers, self.credentials, self.region)
        else:
            kwargs.update(url_username=self.username, url_password=self.password, force_basic_auth=True)
        try:
            response = open_url(
                url, data=data, method=method, headers=headers, validate_certs=self.validate_certs,
                ca_path=self.ca_bundle, timeout=self.timeout, follow_redirects="none", use_proxy=True, **kwargs,
            )
            return response.getcode(), _decode(response.read()), None
        except HTTPError as e:
            raw = e.read() if e.fp is not None else b""
            retry_after = e.headers.get("Retry-After") if e.headers else None
            try:
                delay = float(retry_after) if retry_after is not None else None
            except ValueError:
                delay = None
            return e.code, _decode(raw), delay
        except (URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise SecurityApiError(f"Cannot reach the domain at {self.endpoint} ({method} {path}): {reason}") from e

    def get(self, kind: str, name: str) -> dict[str, Any] | None:
        """One entity without its name wrapper, or None when it does not exist."""
        status, body = self.request("GET", _path(kind, name))
        if status == 404 or not isinstance(body, dict):
            return None
        return body.get(name)

    def list(self, kind: str) -> dict[str, Any]:
        status, body = self.request("GET", _path(kind))
        return body if status != 404 and isinstance(body, dict) else {}

    def put(self, kind: str, name: str, definition: dict[str, Any]) -> Any:
        return self.request("PUT", _path(kind, name), definition)[1]

    def delete(self, kind: str, name: str) -> Any:
        return self.request("DELETE", _path(kind, name))[1]


def _path(kind: str, name: str | None = None) -> str:
    path = f"{API_PREFIX}/{KINDS[kind]}"
    return f"{path}/{quote(name, safe='')}" if name is not None else path


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def client_from_module(module: Any) -> SecurityClient:
    """A client configured from the module's options; fails the module on bad connection options."""
    params = module.params
    credentials = region = None
    if params["auth"] == "sigv4":
        credentials, region = _aws_credentials(module)
    try:
        return SecurityClient(
            params["endpoint"], auth=params["auth"], username=params.get("master_username"),
            password=params.get("master_password"), credentials=credentials, region=region,
            ca_bundle=params.get("ca_bundle"), validate_certs=params["validate_certs"], timeout=params["timeout"],
        )
    except ValueError as e:
        module.fail_json(msg=str(e))


def _aws_credentials(module: Any) -> tuple[Any, str | None]:
    """Frozen credentials and region from the standard AWS options (profile, keys, environment, instance role)."""
    from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info

    region, _endpoint_url, params = get_aws_connection_info(module)
    if not region:
        module.fail_json(msg="auth=sigv4 needs a region: set region (or AWS_REGION) to the domain's region")
    import boto3  # the module class has already checked that boto3 is installed

    session = boto3.session.Session(
        profile_name=params.get("profile_name"),
        aws_access_key_id=params.get("aws_access_key_id"),
        aws_secret_access_key=params.get("aws_secret_access_key"),
        aws_session_token=params.get("aws_session_token"),
    )
    credentials = session.get_credentials()
    if credentials is None:
        module.fail_json(
            msg="auth=sigv4 found no AWS credentials: set access_key/secret_key, profile or use an instance role"
        )
    return credentials.get_frozen_credentials(), region


def is_protected(current: dict[str, Any] | None) -> bool:
    return bool(current) and any(current.get(key) for key in METADATA_KEYS)


def protected_message(kind: str, name: str, current: dict[str, Any]) -> str:
    flags = ", ".join(key for key in METADATA_KEYS if current.get(key))
    label = kind.replace("_", " ")
    return f"The {label} '{name}' is {flags} (built into the security plugin) and cannot be modified or deleted"


def strip_metadata(entity: dict[str, Any] | None) -> dict[str, Any] | None:
    if entity is None:
        return None
    return {key: value for key, value in entity.items() if key not in METADATA_KEYS}


def _sorted_unique(values: list[Any] | None) -> list[Any]:
    return sorted({str(value) for value in values or []})


def normalize_role(role: dict[str, Any] | None) -> dict[str, Any] | None:
    """A role in a canonical form: the API's defaults filled in, permission lists order-insensitive."""
    if role is None:
        return None
    index_permissions = [
        {
            "index_patterns": _sorted_unique(entry.get("index_patterns")),
            "allowed_actions": _sorted_unique(entry.get("allowed_actions")),
            "dls": entry.get("dls") or "",
            "fls": _sorted_unique(entry.get("fls")),
            "masked_fields": _sorted_unique(entry.get("masked_fields")),
        }
        for entry in role.get("index_permissions") or []
    ]
    tenant_permissions = [
        {
            "tenant_patterns": _sorted_unique(entry.get("tenant_patterns")),
            "allowed_actions": _sorted_unique(entry.get("allowed_actions")),
        }
        for entry in role.get("tenant_permissions") or []
    ]
    return {
        "cluster_permissions": _sorted_unique(role.get("cluster_permissions")),
        "index_permissions": sorted(index_permissions, key=lambda item: json.dumps(item, sort_keys=True)),
        "tenant_permissions": sorted(tenant_permissions, key=lambda item: json.dumps(item, sort_keys=True)),
        "description": role.get("description") or "",
    }


def normalize_role_mapping(mapping: dict[str, Any] | None) -> dict[str, Any] | None:
    if mapping is None:
        return None
    return {
        "backend_roles": _sorted_unique(mapping.get("backend_roles")),
        "and_backend_roles": _sorted_unique(mapping.get("and_backend_roles")),
        "hosts": _sorted_unique(mapping.get("hosts")),
        "users": _sorted_unique(mapping.get("users")),
        "description": mapping.get("description") or "",
    }


def normalize_internal_user(user: dict[str, Any] | None) -> dict[str, Any] | None:
    """An internal user without its password or hash, which can never be compared."""
    if user is None:
        return None
    return {
        "backend_roles": _sorted_unique(user.get("backend_roles")),
        "security_roles": _sorted_unique(user.get("opendistro_security_roles", user.get("security_roles"))),
        "attributes": {str(key): str(value) for key, value in (user.get("attributes") or {}).items()},
        "description": user.get("description") or "",
    }


def merge_desired(current: dict[str, Any] | None, requested: dict[str, Any]) -> dict[str, Any]:
    """The requested definition, with options left unset (None) taken from the current entity."""
    merged = dict(current or {})
    merged.update({key: value for key, value in requested.items() if value is not None})
    return merged


def ensure_entity(
    client: SecurityClient,
    kind: str,
    name: str,
    state: str,
    requested: dict[str, Any],
    normalize: Callable[[dict[str, Any] | None], dict[str, Any] | None],
    to_body: Callable[[dict[str, Any]], dict[str, Any]],
    check_mode: bool,
    force: bool = False,
    secrets: dict[str, Any] | None = None,
    require_on_create: Callable[[], None] | None = None,
) -> tuple[bool, dict[str, Any] | None, dict[str, Any] | None, dict[str, Any] | None]:
    """Make one entity present or absent: (changed, before, after, current as the API returned it).

    ``requested`` holds the options in normalized form, None for "keep the current value". ``force``
    sends the PUT even when nothing comparable differs (a password that cannot be compared); ``secrets``
    go into the PUT only on creation or when forced.
    """
    current = client.get(kind, name)
    before = normalize(strip_metadata(current))
    if state == "absent":
        if current is None:
            return False, None, None, None
        if is_protected(current):
            raise SecurityApiError(protected_message(kind, name, current))
        if not check_mode:
            client.delete(kind, name)
        return True, before, None, current
    if current is None and require_on_create is not None:
        require_on_create()
    after = normalize(merge_desired(before, requested))
    changed = current is None or after != before or force
    if changed and is_protected(current):
        raise SecurityApiError(protected_message(kind, name, current))
    if changed and not check_mode:
        body = to_body(after)
        if current is None or force:
            body.update(secrets or {})
        client.put(kind, name, body)
    return changed, before, after, current


def entity_result(name: str, definition: dict[str, Any] | None, current: dict[str, Any] | None) -> dict[str, Any]:
    """The module's return value for an entity: its definition and the plugin's metadata flags."""
    if definition is None:
        return {}
    result = {"name": name, **definition}
    result.update({key: bool((current or {}).get(key, False)) for key in METADATA_KEYS})
    return result


def role_body(role: dict[str, Any]) -> dict[str, Any]:
    index_permissions = []
    for entry in role["index_permissions"]:
        item = {"index_patterns": entry["index_patterns"], "allowed_actions": entry["allowed_actions"]}
        item.update({key: entry[key] for key in ("dls", "fls", "masked_fields") if entry.get(key)})
        index_permissions.append(item)
    body = {
        "cluster_permissions": role["cluster_permissions"],
        "index_permissions": index_permissions,
        "tenant_permissions": role["tenant_permissions"],
    }
    if role.get("description"):
        body["description"] = role["description"]
    return body


def role_mapping_body(mapping: dict[str, Any]) -> dict[str, Any]:
    body = {key: mapping[key] for key in ("backend_roles", "and_backend_roles", "hosts", "users")}
    if mapping.get("description"):
        body["description"] = mapping["description"]
    return body


def internal_user_body(user: dict[str, Any]) -> dict[str, Any]:
    body = {
        "backend_roles": user["backend_roles"],
        "opendistro_security_roles": user["security_roles"],
        "attributes": user["attributes"],
    }
    if user.get("description"):
        body["description"] = user["description"]
    return body


def validate_name(option: str, name: str | None) -> str:
    """Raises ValueError naming the option when a name can't be an entity name in the security API."""
    if not name or not name.strip():
        raise ValueError(f"{option} must be a non-empty name")
    if "/" in name or name != name.strip():
        raise ValueError(f"{option} must not contain '/' or surrounding spaces, got {name!r}")
    return name
