"""No generated secret appears in the output of a run at -vvvv, nor in any artifact.

The runs are the shared environment's (conftest.shared_environment): the one that created it, and the next.
"""

from __future__ import annotations

from conftest import ROOT, recap, secret_values

HOSTS = ("opensearch", "documentdb", "mysql", "redis", "analytics_mysql", "analytics_search", "analytics_instances")
# The modules that receive a secret: the scan means something only if their arguments are in the output.
SECRET_BEARING_MODULES = ("rds_instance", "docdb_cluster", "elasticache_replication_group", "opensearch_domain",
                          "opensearch_security_internal_user", "secretsmanager_credential", "mysql_user",
                          "s3_credentials_object", "ec2_key", "secretsmanager_secret")


def test_no_secret_in_verbose_output_or_artifacts(shared_environment):
    first, second = shared_environment.created, shared_environment.rerun

    for host in HOSTS:
        assert recap(first.stdout, host)["failed"] == 0, first.stdout[-3000:]
        assert recap(second.stdout, host)["failed"] == 0, second.stdout[-3000:]
    # The scan means something only if the output is really the most verbose one, module arguments and all.
    assert "ESTABLISH LOCAL CONNECTION" in first.stdout
    for module in SECRET_BEARING_MODULES:
        assert f"AnsiballZ_{module}.py" in first.stdout, module
    secrets = secret_values(shared_environment.name)
    # MySQL master and app user, DocumentDB master, OpenSearch master and app user, Redis AUTH token; the Analytics
    # MySQL's users, edxapp_ro, the instances' SSH keys.
    assert len(secrets) >= 12, len(secrets)
    written = (ROOT / "artifacts" / shared_environment.name).rglob("*")
    artifacts = [path.read_text(errors="replace") for path in written if path.is_file()]
    assert artifacts, "the run wrote no artifact"
    for secret in secrets:
        assert len(secret) >= 16
        assert secret not in first.stdout
        assert secret not in second.stdout
        for text in artifacts:
            assert secret not in text
