"""SigV4 verification for the OpenSearch security API, against the credentials the sandbox knows.

On AWS a domain's endpoint checks a request's signature before fine-grained access control sees it; the sandbox's
security server calls ``verify`` instead. The signature is recomputed with botocore's ``SigV4Auth``, the signer the
collection's modules use, so both sides canonicalise a request the same way; what botocore leaves to the server
(the scope, the clock, the payload hash, the session token) is checked here, with the messages AWS answers.

The known credentials (``known_credential``) are moto's: IAM users' access keys and STS temporary credentials from
``AssumeRole``, read from moto's backends in this process (the security servers are threads of the sandbox server,
beside moto), plus the sandbox's default keys of ``inventories/local``, which sign as ``DEFAULT_PRINCIPAL``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials

from sandbox.state import ACCOUNT_ID

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "es"
MAX_SKEW = timedelta(minutes=5)
TIMESTAMP = "%Y%m%dT%H%M%SZ"
DEFAULT_ACCESS_KEY = "sandbox-access-key"
DEFAULT_SECRET_KEY = "sandbox-secret-key"
# moto answers GetCallerIdentity for keys it did not issue with arn:aws:sts::<account>:user/moto; a master user
# must be an IAM ARN, so the default keys sign as that user's IAM form.
DEFAULT_PRINCIPAL = f"arn:aws:iam::{ACCOUNT_ID}:user/moto"

INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"
BAD_SIGNATURE = ("The request signature we calculated does not match the signature you provided. Check your AWS "
                 "Secret Access Key and signing method. Consult the service documentation for details.")
_AUTHORIZATION = re.compile(
    rf"^{ALGORITHM}\s+Credential=(?P<credential>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),"
    r"\s*Signature=(?P<signature>[0-9a-f]{64})\s*$")


class SignatureError(Exception):
    """A signed request the domain refuses (HTTP 403), with AWS's message."""


@dataclass(frozen=True)
class Credential:
    """A key pair the sandbox knows and the IAM principal it signs as.

    ``backend_role``: the principal is a role (an assumed role's credentials), which fine-grained access control
    matches as a backend role; otherwise an IAM user, matched as a user.
    """

    access_key: str
    secret_key: str = field(repr=False)
    principal: str
    token: str | None = field(default=None, repr=False)
    expires: datetime | None = None
    backend_role: bool = False


@dataclass(frozen=True)
class Authorization:
    """The parts of an ``Authorization: AWS4-HMAC-SHA256 ...`` header."""

    access_key: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def is_sigv4(header: str | None) -> bool:
    return bool(header) and header.split(" ", 1)[0] == ALGORITHM


def parse_authorization(header: str) -> Authorization:
    """The header's credential scope, signed headers and signature; SignatureError when malformed."""
    match = _AUTHORIZATION.match(header or "")
    if not match:
        raise SignatureError(f"Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
                             f"parameters in the form {ALGORITHM} Credential=..., SignedHeaders=..., Signature=...")
    parts = match.group("credential").split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not re.fullmatch(r"\d{8}", parts[1]):
        raise SignatureError(f"Credential should be scoped with <key>/<yyyymmdd>/<region>/<service>/aws4_request, "
                             f"got '{match.group('credential')}'.")
    signed = tuple(match.group("signed").split(";"))
    return Authorization(parts[0], parts[1], parts[2], parts[3], signed, match.group("signature"))


def _header_map(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers by lower-case name, repeated ones joined with commas as SigV4 canonicalises them."""
    result: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        result[key] = f"{result[key]},{value}" if key in result else value
    return result


def _check_clock(amz_date: str, scope_date: str, now: datetime) -> None:
    try:
        signed_at = datetime.strptime(amz_date, TIMESTAMP).replace(tzinfo=UTC)
    except ValueError:
        raise SignatureError(f"X-Amz-Date must be an ISO 8601 basic timestamp such as 20250101T000000Z, got "
                             f"'{amz_date}'.") from None
    if amz_date[:8] != scope_date:
        raise SignatureError(f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
                             f"HTTP: '{scope_date}' != '{amz_date[:8]}', from '{amz_date}'.")
    if signed_at < now - MAX_SKEW:
        raise SignatureError(f"Signature expired: {amz_date} is now earlier than {(now - MAX_SKEW).strftime(TIMESTAMP)}"
                             f" ({now.strftime(TIMESTAMP)} - 5 min.)")
    if signed_at > now + MAX_SKEW:
        raise SignatureError(f"Signature not yet current: {amz_date} is still later than "
                             f"{(now + MAX_SKEW).strftime(TIMESTAMP)} ({now.strftime(TIMESTAMP)} + 5 min.)")


def expected_signature(credential: Credential, method: str, url: str, headers: dict[str, str], body: bytes,
                       amz_date: str, region: str, service: str) -> str:
    """The signature botocore computes for the request, given exactly the headers that were signed."""
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    request.context["timestamp"] = amz_date
    signer = SigV4Auth(ReadOnlyCredentials(credential.access_key, credential.secret_key, credential.token),
                       service, region)
    return signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)


def verify(method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes, region: str,
           lookup: Callable[[str], Credential | None], now: datetime | None = None,
           service: str = SERVICE) -> Credential:
    """The credential that signed the request (``url`` as the client addressed it); SignatureError otherwise.

    A request is refused when its scope names another service or region, its X-Amz-Date is more than five minutes
    off, its key is unknown (or its session token does not match, or has expired), its body does not hash to
    X-Amz-Content-SHA256, or its signature is not the one its secret key gives.
    """
    now = now or datetime.now(UTC)
    header_map = _header_map(headers)
    auth = parse_authorization(header_map.get("authorization", ""))
    if auth.service != service:
        raise SignatureError(f"Credential should be scoped to correct service: '{service}'. ")
    if auth.region != region:
        raise SignatureError(f"Credential should be scoped to a valid region, not '{auth.region}'. ")
    amz_date = header_map.get("x-amz-date")
    if not amz_date:
        raise SignatureError("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    _check_clock(amz_date, auth.date, now)
    missing = [name for name in ("host", "x-amz-date") if name not in auth.signed_headers]
    missing += [name for name in auth.signed_headers if name not in header_map and name not in missing]
    if missing:
        raise SignatureError(f"The headers {', '.join(missing)} must be signed and present in the request.")
    credential = lookup(auth.access_key)
    if credential is None:
        raise SignatureError(INVALID_TOKEN)
    if credential.token is not None:
        if not hmac.compare_digest(header_map.get("x-amz-security-token", ""), credential.token):
            raise SignatureError(INVALID_TOKEN)
        if credential.expires is not None and credential.expires <= now:
            raise SignatureError(EXPIRED_TOKEN)
    payload_hash = hashlib.sha256(body).hexdigest()
    if header_map.get("x-amz-content-sha256", payload_hash) != payload_hash:
        raise SignatureError("The provided 'x-amz-content-sha256' header does not match what was computed.")
    signed = {name: header_map[name] for name in auth.signed_headers}
    computed = expected_signature(credential, method, url, signed, body, amz_date, auth.region, auth.service)
    if not hmac.compare_digest(computed, auth.signature):
        raise SignatureError(BAD_SIGNATURE)
    return credential


def known_credential(access_key: str) -> Credential | None:
    """The sandbox's default keys, an active IAM user access key or STS temporary credentials from moto."""
    if access_key == DEFAULT_ACCESS_KEY:
        return Credential(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PRINCIPAL)
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    for account in list(sts_backends.values()):
        for sts in list(account.values()):
            assumed = sts.get_assumed_role_from_access_key(access_key)
            if assumed is not None:
                return Credential(access_key, assumed.secret_access_key, assumed.role_arn, assumed.session_token,
                                  assumed.expiration.replace(tzinfo=UTC), backend_role=True)
    for account in list(iam_backends.values()):
        for iam in list(account.values()):
            for user in list(iam.users.values()):
                for key in list(user.access_keys):
                    if key.access_key_id == access_key and key.status == "Active":
                        return Credential(access_key, key.secret_access_key, user.arn)
    return None
