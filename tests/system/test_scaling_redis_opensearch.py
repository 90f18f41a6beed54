"""Scaling and engine upgrades of ElastiCache Redis and OpenSearch through data-services.yml, on an environment of its
own (``scaling``, ``--limit redis,opensearch``): keys and documents written first must survive a node type and replica
count change, an instance type/count and volume change, and major engine upgrades; a major upgrade is refused (with no
mutating AWS call) until allowed, then made after a snapshot; a downgrade is refused; --check and a re-run change
nothing.

The module and sandbox details (minor upgrades, the order of the calls, GetCompatibleVersions, refusals of what AWS
cannot change in place) are in the component tests; this file keeps to the playbook's path.
"""

from __future__ import annotations

import base64
import json
import ssl
import urllib.request
from pathlib import Path
from typing import Any

import yaml
from conftest import CA_BUNDLE, KNOWN_ENVIRONMENTS, ROOT, aws, fresh_environment, ledger, recap, run_playbook, sandbox
from redis_check import _client, read_auth_token

ENVIRONMENT = "scaling"
LIMIT = ("--limit", "redis,opensearch")
GROUP = f"openedx-{ENVIRONMENT}-redis"
DOMAIN = f"openedx-{ENVIRONMENT}-search"
KEYS = {f"course:{number}": f"value {number}" for number in range(100)}
DOCUMENTS = ("intro", "advanced")
MUTATING_CREATE_OR_DELETE = ("elasticache:CreateReplicationGroup", "elasticache:DeleteReplicationGroup",
                             "es:CreateDomain", "es:DeleteDomain")


def _settings(**extra: Any) -> dict[str, Any]:
    return {**fresh_environment(ENVIRONMENT), "data_services_known_environments": [*KNOWN_ENVIRONMENTS, ENVIRONMENT],
            # The local inventory is prod-shaped: start smaller and older, to grow and upgrade.
            "redis_engine_version": "6.2", "redis_num_cache_clusters": 2,
            "opensearch_engine_version": "OpenSearch_2.19", **extra}


def _run(*args: str, **extra: Any) -> tuple[str, dict, int]:
    sandbox("reset")
    result = run_playbook(*LIMIT, *args, extra_vars=_settings(**extra), timeout=600)
    return result.stdout, ledger(), result.returncode


def _connections() -> dict[str, Any]:
    return yaml.safe_load(Path(ROOT / "artifacts" / ENVIRONMENT / "connections.yml").read_text())["services"]


def _redis(entry: dict[str, Any]):
    token = read_auth_token(entry["secret_arn"], endpoint_url=aws("secretsmanager").meta.endpoint_url)
    return _client(entry["primary_host"], int(entry["port"]), token, CA_BUNDLE)


def _opensearch(entry: dict[str, Any], method: str, path: str, body: dict | None = None) -> Any:
    secret = json.loads(aws("secretsmanager").get_secret_value(
        SecretId=f"openedx/{ENVIRONMENT}/opensearch/admin")["SecretString"])
    token = base64.b64encode(f"{secret['username']}:{secret['password']}".encode()).decode()
    request = urllib.request.Request(f"{entry['endpoint'].rstrip('/')}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=CA_BUNDLE), timeout=10) as answer:
        return json.loads(answer.read() or b"{}")


def _group() -> dict[str, Any]:
    return aws("elasticache").describe_replication_groups(ReplicationGroupId=GROUP)["ReplicationGroups"][0]


def _domain() -> dict[str, Any]:
    return aws("opensearch").describe_domain(DomainName=DOMAIN)["DomainStatus"]


def _data_kept(connections: dict[str, Any]) -> None:
    client = _redis(connections["redis"])
    try:
        assert client.mget(list(KEYS)) == list(KEYS.values())
    finally:
        client.close()
    for name in DOCUMENTS:
        assert _opensearch(connections["opensearch"], "GET", f"/courses/_doc/{name}")["found"] is True


def test_scaling_and_major_upgrades_keep_the_data_and_refuse_what_they_must():
    output, _calls, returncode = _run()
    assert returncode == 0, output[-4000:]
    connections = _connections()
    client = _redis(connections["redis"])
    client.mset(KEYS)
    client.close()
    for name in DOCUMENTS:
        _opensearch(connections["opensearch"], "PUT", f"/courses/_doc/{name}", {"title": name})
    group, domain = _group(), _domain()

    # Bigger, and a major upgrade of both. Without the allow settings (and with an OpenSearch downgrade in place of
    # its upgrade), refused before any change.
    bigger = {"redis_node_type": "cache.r7g.xlarge", "redis_num_cache_clusters": 3, "redis_engine_version": "7.1",
              "opensearch_instance_type": "r7g.large.search", "opensearch_instance_count": 6,
              "opensearch_volume_size": 120, "opensearch_engine_version": "OpenSearch_3.1"}
    output, calls, returncode = _run(**{**bigger, "opensearch_engine_version": "OpenSearch_2.17"})
    assert returncode != 0
    assert recap(output, "redis")["failed"] == 1 and recap(output, "opensearch")["failed"] == 1, output[-4000:]
    assert "-e redis_allow_major_version_upgrade=true" in output, output[-4000:]
    assert "OpenSearch Service cannot downgrade" in output, output[-4000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]

    allowed = {**bigger, "redis_allow_major_version_upgrade": True, "opensearch_allow_major_version_upgrade": True}
    output, calls, returncode = _run("--check", **allowed)
    assert returncode == 0, output[-4000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]

    output, calls, returncode = _run(**allowed)
    assert returncode == 0, output[-4000:]
    mutating = calls["mutating"]
    assert mutating.get("elasticache:CreateSnapshot") == 1, mutating
    assert mutating.get("elasticache:IncreaseReplicaCount") == 1, mutating
    # The upgrade (with the redis7 parameter group), then the node type.
    assert mutating.get("elasticache:ModifyReplicationGroup") == 2, mutating
    assert mutating.get("es:UpgradeDomain") == 1 and mutating.get("es:UpdateDomainConfig") == 1, mutating
    assert not set(MUTATING_CREATE_OR_DELETE) & set(mutating), mutating
    assert "Upgrading domain openedx-scaling-search from OpenSearch_2.19 to OpenSearch_3.1" in output

    snapshots = aws("elasticache").describe_snapshots(ReplicationGroupId=GROUP)["Snapshots"]
    assert [s["SnapshotName"].startswith(f"{GROUP}-before-7-1-") for s in snapshots] == [True], snapshots
    assert snapshots[0]["SnapshotStatus"] == "available" and snapshots[0]["EngineVersion"].startswith("6.2")
    scaled = _group()
    assert (scaled["ARN"], scaled["NodeGroups"][0]["PrimaryEndpoint"]) == (
        group["ARN"], group["NodeGroups"][0]["PrimaryEndpoint"])
    assert (scaled["CacheNodeType"], len(scaled["MemberClusters"])) == ("cache.r7g.xlarge", 3)
    member = aws("elasticache").describe_cache_clusters(CacheClusterId=scaled["MemberClusters"][0])["CacheClusters"][0]
    assert member["EngineVersion"].startswith("7.1"), member
    assert member["CacheParameterGroup"]["CacheParameterGroupName"] == f"{GROUP}-redis7"

    grown = _domain()
    expected = (domain["ARN"], domain["Endpoints"], "OpenSearch_3.1")
    assert (grown["ARN"], grown["Endpoints"], grown["EngineVersion"]) == expected
    assert (grown["ClusterConfig"]["InstanceType"], grown["ClusterConfig"]["InstanceCount"],
            grown["EBSOptions"]["VolumeSize"]) == ("r7g.large.search", 6, 120)
    assert _opensearch(connections["opensearch"], "GET", "/")["version"]["number"] == "3.1.0"
    assert _opensearch(connections["opensearch"], "GET", "/_cluster/health")["number_of_data_nodes"] == 6
    _data_kept(connections)

    output, calls, returncode = _run(**allowed)
    assert returncode == 0, output[-4000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    assert recap(output, "redis")["changed"] == 0 and recap(output, "opensearch")["changed"] == 0, output[-3000:]
