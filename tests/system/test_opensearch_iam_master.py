"""An IAM master: the opensearch role configures the domain's security with SigV4, as the director's principal.

On an environment of its own, ``--limit opensearch`` with ``opensearch_master_user_arn`` set to the principal the local
inventory's credentials sign as (the sandbox's default keys: ``arn:aws:iam::123456789012:user/moto``) and a role
mapping that maps an IAM role as a backend role: the domain is created with that master, the security roles, the
application user and the mappings are made through the domain's security API with signed requests, which the sandbox
verifies; a re-run and a --check --diff run change nothing and make no mutating AWS call.

The sandbox is the one on ``SANDBOX_AWS_PORT`` (4566 unless set), its CA under ``SANDBOX_STATE_DIR``.
"""

from __future__ import annotations

import hashlib
import json
import os
import ssl
import urllib.request
from pathlib import Path

import boto3
import yaml
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from conftest import KNOWN_ENVIRONMENTS, ROOT, fresh_environment, ledger, recap, run_playbook, sandbox

ENVIRONMENT = "iammaster"
DIRECTOR = "arn:aws:iam::123456789012:user/moto"
EDXAPP_ROLE = "arn:aws:iam::123456789012:role/edxapp"
STATE_DIR = Path(os.environ.get("SANDBOX_STATE_DIR", ROOT / ".sandbox"))
EXTRA_VARS = {
    **fresh_environment(ENVIRONMENT),
    "data_services_known_environments": [*KNOWN_ENVIRONMENTS, ENVIRONMENT],
    "data_services_aws_endpoint_url": f"http://127.0.0.1:{os.environ.get('SANDBOX_AWS_PORT', '4566')}",
    "data_services_ca_bundle": str(STATE_DIR / "tls" / "ca.pem"),
    "opensearch_master_user_arn": DIRECTOR,
    "opensearch_role_mappings": [{"role": "openedx_app", "users": ["openedx"], "backend_roles": [EDXAPP_ROLE]}],
}


def _signed_get(endpoint: str, path: str) -> dict:
    """GET signed with the local inventory's credentials, TLS verified against the sandbox CA."""
    request = AWSRequest(method="GET", url=endpoint + path, headers={"X-Amz-Content-SHA256": hashlib.sha256(
        b"").hexdigest()})
    SigV4Auth(Credentials("sandbox-access-key", "sandbox-secret-key"), "es", "us-east-1").add_auth(request)
    context = ssl.create_default_context(cafile=EXTRA_VARS["data_services_ca_bundle"])
    with urllib.request.urlopen(urllib.request.Request(endpoint + path, headers=dict(request.headers.items())),
                                context=context, timeout=10) as response:
        return json.loads(response.read())


def test_an_iam_master_configures_the_domain_signed_and_converges():
    domains = boto3.client("opensearch", endpoint_url=EXTRA_VARS["data_services_aws_endpoint_url"],
                           region_name="us-east-1", aws_access_key_id="sandbox-access-key",
                           aws_secret_access_key="sandbox-secret-key").list_domain_names()["DomainNames"]
    assert f"openedx-{ENVIRONMENT}-search" not in [d["DomainName"] for d in domains], (
        f"the {ENVIRONMENT} environment already exists: this test needs a fresh sandbox (python -m sandbox down)")
    sandbox("reset")
    created = run_playbook("--limit", "opensearch", extra_vars=EXTRA_VARS)
    assert recap(created.stdout, "opensearch")["failed"] == 0, created.stdout[-3000:]
    assert ledger()["mutating"].get("es:CreateDomain") == 1
    connections = yaml.safe_load((ROOT / "artifacts" / ENVIRONMENT / "connections.yml").read_text())
    search = connections["services"]["opensearch"]
    assert search["master_user_arn"] == DIRECTOR and search["master_secret_arn"] == ""

    info = _signed_get(search["endpoint"], "/_plugins/_security/authinfo")
    assert (info["user_name"], info["backend_roles"]) == (DIRECTOR, [])
    assert {"all_access", "security_manager"} <= set(info["roles"])
    mapping = _signed_get(search["endpoint"], "/_plugins/_security/api/rolesmapping/openedx_app")["openedx_app"]
    assert (mapping["users"], mapping["backend_roles"]) == (["openedx"], [EDXAPP_ROLE])
    assert "openedx" in _signed_get(search["endpoint"], "/_plugins/_security/api/internalusers")

    sandbox("reset")
    rerun = run_playbook("--limit", "opensearch", extra_vars=EXTRA_VARS)
    assert recap(rerun.stdout, "opensearch")["changed"] == 0, rerun.stdout[-3000:]
    assert ledger()["totals"]["mutating"] == 0

    sandbox("reset")
    check = run_playbook("--check", "--diff", "--limit", "opensearch", extra_vars=EXTRA_VARS)
    counts = recap(check.stdout, "opensearch")
    assert (counts["failed"], counts["changed"]) == (0, 0), check.stdout[-3000:]
    assert "opensearch : Ensure the role mappings] ***" in check.stdout  # read, signed, even in check mode
    assert ledger()["totals"]["mutating"] == 0
