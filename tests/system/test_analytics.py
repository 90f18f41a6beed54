"""The edX Analytics stack (playbooks/analytics.yml, run by site.yml in the shared environment).

What the stack leaves behind is checked for real: the grants on the MariaDB servers behind the Analytics MySQL and the
edxapp MySQL, the buckets' settings, the IAM policies, the pipeline's credentials files read back from S3 and the
secure-repo files. Bad input is refused before any AWS call, in one run over an inventory with a host per case.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import ssl
import urllib.request

import pymysql
import pytest
import yaml
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from conftest import CA_BUNDLE, ROOT, aws, ledger, recap, run_playbook, sandbox
from test_bad_input import assert_refused

PARTS = ("analytics_mysql", "analytics_search", "analytics_instances")
# The principal the local inventory's credentials sign as, the learners index's IAM master there.
DIRECTOR = "arn:aws:iam::123456789012:user/moto"

CASES = {
    "web open to the internet": ({"analytics_http_cidrs": ["0.0.0.0/0"]}, "analytics_http_cidrs"),
    "director group not an ID": ({"analytics_director_security_group_ids": ["director"]},
                                 "analytics_director_security_group_ids"),
    "database name with a space": ({"analytics_mysql_reports_database": "my reports"},
                                   "analytics_mysql_reports_database"),
    "two parts on one database": ({"analytics_mysql_api_database": "dashboard"}, "analytics_mysql_api_database"),
    "user name with a hyphen": ({"analytics_mysql_user": "analytics-user"}, "analytics_mysql_user"),
    "migration secret not a secret id": ({"analytics_mysql_migration_from": "not a secret!"},
                                         "analytics_mysql_migration_from"),
    "search domain in capitals": ({"analytics_search_domain": "Analytics_Search"}, "analytics_search_domain"),
    "index alias in capitals": ({"analytics_learners_index_alias": "Roster_1_2"}, "analytics_learners_index_alias"),
    "instance without an AMI": ({"analytics_instance": True, "analytics_image_id": ""}, "analytics_image_id"),
    "instance in a subnet not private": ({"analytics_instance": True, "analytics_image_id": "ami-1e749f67",
                                          "analytics_subnet_id": "subnet-0d5a0000000000b01"}, "analytics_subnet_id"),
    "tiny root volume": ({"analytics_root_volume_size": 4}, "analytics_root_volume_size"),
    "no EMR core node": ({"analytics_emr_core_instance_count": 0}, "analytics_emr_core_instance_count"),
    "EMR release without its prefix": ({"analytics_emr_release_label": "5.36.2"}, "analytics_emr_release_label"),
    "name prefix too long": ({"analytics_name_prefix": "a" * 41}, "analytics_name_prefix"),
    "tag key reserved by AWS": ({"analytics_tags": {"aws:owner": "x"}}, "analytics_tags"),
    # The hand-off's settings.
    "pipeline start date not a date": ({"analytics_pipeline_start_date": "2013-13-01"},
                                       "analytics_pipeline_start_date"),
    "connector version not a version": ({"analytics_emr_mysql_connector_version": "latest"},
                                        "analytics_emr_mysql_connector_version"),
    "bootstrap action outside S3": ({"analytics_emr_bootstrap_actions": {"security": "https://example.com/x.sh"}},
                                    "analytics_emr_bootstrap_actions"),
    "bootstrap action on a local path": ({"analytics_emr_bootstrap_actions": {"security": {"path": "/tmp/x.sh"}}},
                                         "analytics_emr_bootstrap_actions"),
    "Jenkins home relative": ({"analytics_jenkins_home": "jenkins"}, "analytics_jenkins_home"),
    "CA path relative": ({"analytics_ca_path": "certs/ca.pem"}, "analytics_ca_path"),
    # The Analytics MySQL's own settings, checked by the rds_mysql role on the part's host.
    "analytics MySQL class without db. prefix": ({"analytics_part": "mysql", "rds_mysql_instance_class": "m5.large"},
                                                 "rds_mysql_instance_class"),
}
HOSTS = {name: f"case{number:02d}" for number, name in enumerate(CASES)}


@pytest.fixture(scope="module")
def bad_input_run(tmp_path_factory):
    settings = yaml.safe_load((ROOT / "inventories" / "local" / "group_vars" / "all" / "main.yml").read_text())
    settings.update(data_services_ca_bundle=CA_BUNDLE,
                    data_services_artifacts_dir=str(tmp_path_factory.mktemp("artifacts")),
                    ansible_connection="local", ansible_python_interpreter="{{ ansible_playbook_python }}")
    hosts = {HOSTS[name]: {"analytics_part": "instances", **CASES[name][0]} for name in CASES}
    inventory = tmp_path_factory.mktemp("inventory") / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"children": {"analytics": {"hosts": hosts, "vars": settings}}}}))
    sandbox("reset")
    result = run_playbook(inventory=str(inventory), playbook="playbooks/analytics.yml")
    assert result.returncode != 0, result.stdout[-2000:]
    return result.stdout, ledger()


@pytest.mark.parametrize("name", CASES)
def test_bad_input_fails_before_any_aws_call(bad_input_run, name):
    output, calls = bad_input_run
    assert_refused(output, HOSTS[name], CASES[name][1])
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    assert calls["totals"]["read"] == 0, calls["read"]


def _secret(name: str) -> dict:
    return json.loads(aws("secretsmanager").get_secret_value(SecretId=name)["SecretString"])


def _connect(credential: dict, database: str | None = None, tls: bool = True) -> pymysql.connections.Connection:
    options = {"ssl": {"ca": CA_BUNDLE}} if tls else {"ssl_disabled": True}
    return pymysql.connect(host=credential["host"], port=int(credential["port"]), user=credential["username"],
                           password=credential["password"], database=database, connect_timeout=10, **options)


def _refused(credential: dict, statement: str, database: str | None = None) -> int:
    with _connect(credential, database) as connection, connection.cursor() as cursor, \
            pytest.raises(pymysql.err.OperationalError) as refused:
        cursor.execute(statement)
    return refused.value.args[0]


def test_the_stack_converged_and_its_rerun_changed_nothing(shared_environment):
    for host in PARTS:
        assert recap(shared_environment.created.stdout, host)["failed"] == 0, shared_environment.created.stdout[-3000:]
        again = recap(shared_environment.rerun.stdout, host)
        assert again["failed"] == 0 and again["changed"] == 0, shared_environment.rerun.stdout[-3000:]


def test_the_analytics_user_owns_its_three_databases_and_nothing_else(shared_environment):
    prefix = f"openedx/{shared_environment.name}/analytics-mysql"
    analytics = _secret(f"{prefix}/analytics")
    for database in ("dashboard", "analytics-api", "reports"):
        with _connect(analytics, database) as connection, connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS probe (id INT PRIMARY KEY)")
            cursor.execute("REPLACE INTO probe VALUES (1)")
            connection.commit()
            cursor.execute("SELECT COUNT(*) FROM probe")
            assert cursor.fetchone() == (1,)
    # 1044: access denied to a database; 1142: command denied on a table.
    assert _refused(analytics, "CREATE DATABASE elsewhere") == 1044
    assert _refused(analytics, "SELECT * FROM mysql.user") == 1142
    # The API's reports alias reads reports, and nothing more.
    reader = _secret(f"{prefix}/reports001")
    with _connect(reader, "reports") as connection, connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM probe")
        assert cursor.fetchone() == (1,)
    assert _refused(reader, "INSERT INTO probe VALUES (2)", "reports") == 1142
    assert _refused(reader, "SELECT * FROM dashboard.probe") == 1142
    # Plaintext logins are refused (every user requires TLS).
    with pytest.raises(pymysql.err.OperationalError):
        _connect(analytics, tls=False)


def test_the_migration_user_is_the_edxapp_one_with_all_on_the_three(shared_environment):
    migrate = _secret(f"openedx/{shared_environment.name}/mysql/migrate")
    analytics_host = _secret(f"openedx/{shared_environment.name}/analytics-mysql/analytics")
    on_analytics = dict(migrate, host=analytics_host["host"], port=analytics_host["port"])
    with _connect(on_analytics, "analytics-api") as connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS django_migrations_probe (id INT)")
        cursor.execute("DROP TABLE django_migrations_probe")


def test_edxapp_ro_reads_edxapp_and_cannot_write(shared_environment):
    prefix = f"openedx/{shared_environment.name}/mysql"
    admin, reader = _secret(f"{prefix}/admin"), _secret(f"{prefix}/edxapp_ro")
    with _connect(admin, "edxapp") as connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS auth_user_probe (id INT PRIMARY KEY)")
        cursor.execute("REPLACE INTO auth_user_probe VALUES (7)")
        connection.commit()
    with _connect(reader, "edxapp") as connection, connection.cursor() as cursor:
        cursor.execute("SELECT id FROM auth_user_probe")
        assert cursor.fetchall() == ((7,),)
    assert _refused(reader, "INSERT INTO auth_user_probe VALUES (8)", "edxapp") == 1142
    assert _refused(reader, "CREATE TABLE edxapp.other (id INT)") == 1142
    assert _refused(reader, "SELECT * FROM mysql.user") == 1142
    with pytest.raises(pymysql.err.OperationalError):
        _connect(reader, tls=False)


def test_emr_reaches_both_databases_and_jenkins_only_the_director(shared_environment):
    ec2 = aws("ec2")
    prefix = f"openedx-{shared_environment.name}-"
    groups = {group["GroupName"]: group for group in ec2.describe_security_groups()["SecurityGroups"]
              if group["GroupName"].startswith(prefix)}
    emr = {groups[f"{prefix}emr-master"]["GroupId"], groups[f"{prefix}emr-worker"]["GroupId"]}

    def sources(group: str, port: int) -> set[str]:
        return {pair["GroupId"] for rule in groups[group]["IpPermissions"] if rule.get("FromPort") == port
                for pair in rule.get("UserIdGroupPairs", [])}

    assert emr <= sources(f"{prefix}data-services", 3306)
    assert emr <= sources(f"{prefix}analytics-mysql", 3306)
    # EMR reaches MySQL only: not DocumentDB, Redis or the data services' OpenSearch.
    for port in (27017, 6379, 443):
        assert not emr & sources(f"{prefix}data-services", port)
    director = {"sg-0d5a0000000000e01"}
    assert sources(f"{prefix}analytics", 8080) == director and sources(f"{prefix}analytics", 22) == director
    for rule in groups[f"{prefix}analytics"]["IpPermissions"]:
        assert all(r["CidrIp"] != "0.0.0.0/0" for r in rule.get("IpRanges", [])), rule


def test_a_data_services_run_keeps_the_emr_access(shared_environment):
    """data-services.yml purges unknown rules from its group, but keeps the ones the stack marked."""
    extra = dict(shared_environment.extra_vars, connections_edx_configuration=False, connections_tutor=False,
                 connections_k8s=False)
    result = run_playbook("--limit", "mysql", extra_vars=extra)
    assert recap(result.stdout, "mysql")["changed"] == 0, result.stdout[-3000:]
    test_emr_reaches_both_databases_and_jenkins_only_the_director(shared_environment)


def _signed_get(endpoint: str, path: str) -> dict:
    """GET signed with the local inventory's credentials (SigV4, as the director), TLS verified against the CA."""
    request = AWSRequest(method="GET", url=endpoint + path,
                         headers={"X-Amz-Content-SHA256": hashlib.sha256(b"").hexdigest()})
    SigV4Auth(Credentials("sandbox-access-key", "sandbox-secret-key"), "es", "us-east-1").add_auth(request)
    context = ssl.create_default_context(cafile=CA_BUNDLE)
    with urllib.request.urlopen(urllib.request.Request(endpoint + path, headers=dict(request.headers.items())),
                                context=context, timeout=10) as response:
        return json.loads(response.read())


def test_the_learners_index_is_configured_signed_by_its_iam_master(shared_environment):
    """The IAM-master path end to end: the domain's security configuration went through SigV4 as the director."""
    parts = yaml.safe_load((ROOT / "artifacts" / shared_environment.name / "analytics" / "connections.yml").read_text())
    search = parts["parts"]["search"]
    assert search["master_user_arn"] == DIRECTOR and search["master_secret_arn"] == ""
    assert search["username"] == "" and search["secret_arn"] == ""  # no internal application user
    info = _signed_get(search["endpoint"], "/_plugins/_security/authinfo")
    assert (info["user_name"], info["backend_roles"]) == (DIRECTOR, [])
    assert {"all_access", "security_manager"} <= set(info["roles"])
    prefix = f"arn:aws:iam::123456789012:role/openedx/openedx-{shared_environment.name}-"
    mapping = _signed_get(search["endpoint"], "/_plugins/_security/api/rolesmapping/analytics_learners")
    assert sorted(mapping["analytics_learners"]["backend_roles"]) == [f"{prefix}analytics", f"{prefix}emr-ec2"]
    role = _signed_get(search["endpoint"], "/_plugins/_security/api/roles/analytics_learners")["analytics_learners"]
    assert [p["index_patterns"] for p in role["index_permissions"]] == [["roster_1_2*"]]


def test_check_mode_changes_nothing_and_makes_no_mutating_call(shared_environment):
    sandbox("reset")
    result = run_playbook("--check", "--diff", extra_vars=shared_environment.extra_vars,
                          playbook="playbooks/analytics.yml")
    for host in PARTS:
        counts = recap(result.stdout, host)
        assert (counts["failed"], counts["changed"]) == (0, 0), result.stdout[-3000:]
    calls = ledger()
    assert calls["totals"]["mutating"] == 0, calls["mutating"]


def test_the_instances_require_imdsv2_encrypt_their_root_volume_and_have_no_public_address(shared_environment):
    ec2, prefix = aws("ec2"), f"openedx-{shared_environment.name}-"
    key_arn = aws("kms").describe_key(KeyId=f"alias/{prefix}data-services")["KeyMetadata"]["Arn"]
    instances = {tag["Value"]: instance for reservation in ec2.describe_instances(Filters=[
        {"Name": "instance-state-name", "Values": ["running"]}])["Reservations"]
        for instance in reservation["Instances"] for tag in instance.get("Tags", [])
        if tag["Key"] == "Name" and tag["Value"].startswith(prefix)}
    assert sorted(instances) == [f"{prefix}analytics", f"{prefix}director"]
    for name, instance in instances.items():
        assert instance["MetadataOptions"]["HttpTokens"] == "required"
        assert not instance.get("PublicIpAddress")
        assert instance["KeyName"] == name
        assert instance["IamInstanceProfile"]["Arn"].endswith(f"/{name}")
        volume_id = instance["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
        volume = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
        assert volume["Encrypted"] and volume["KmsKeyId"] == key_arn
        # The private key is in Secrets Manager, not on disk.
        key = aws("secretsmanager").get_secret_value(
            SecretId=f"openedx/{shared_environment.name}/analytics/ssh/{name}")["SecretString"]
        assert key.startswith("-----BEGIN OPENSSH PRIVATE KEY-----")


def test_every_bucket_is_private_encrypted_and_refuses_plain_http(shared_environment):
    s3, prefix = aws("s3"), f"openedx-{shared_environment.name}-"
    buckets = [bucket["Name"] for bucket in s3.list_buckets()["Buckets"] if bucket["Name"].startswith(prefix)]
    assert len(buckets) == 5, buckets
    for bucket in buckets:
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4, (bucket, block)
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms", bucket
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        assert any(statement["Effect"] == "Deny"
                   and statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
                   for statement in policy["Statement"]), (bucket, policy)
        ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"][0]
        assert ownership["ObjectOwnership"] == "BucketOwnerEnforced"


def test_the_creds_files_in_s3_log_in_over_tls_and_override_cfg_names_what_was_provisioned(shared_environment):
    s3, name = aws("s3"), shared_environment.name
    pipeline = f"openedx-{name}-analytics"
    for key, database in (("config/edxapp_creds", "edxapp"), ("config/edxanalytics_creds", "reports")):
        found = s3.get_object(Bucket=pipeline, Key=key)
        assert found["ServerSideEncryption"] == "aws:kms"
        creds = json.loads(found["Body"].read())
        assert sorted(creds) == ["host", "password", "port", "username"] and isinstance(creds["port"], str)
        with _connect(creds, database) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    directory = ROOT / "artifacts" / name / "analytics"
    assert not (directory / "edxapp_creds").exists() and not (directory / "edxanalytics_creds").exists()
    parser = configparser.ConfigParser()
    parser.read_string((directory / "analytics-override.cfg").read_text())
    assert parser["database-import"]["credentials"] == f"s3://{pipeline}/config/edxapp_creds"
    assert parser["database-import"]["database"] == "edxapp"
    assert parser["database-export"]["credentials"] == f"s3://{pipeline}/config/edxanalytics_creds"
    assert parser["database-export"]["database"] == "reports"
    assert f"s3://openedx-{name}-tracking-logs/logs/tracking/" in parser["event-logs"]["source"]
    assert parser["hive"]["warehouse_path"].startswith(f"s3://{pipeline}/")
    assert parser["module-engagement"]["alias"] == "roster_1_2"
    domain = aws("opensearch").describe_domain(DomainName=f"openedx-{name}-analytics")["DomainStatus"]
    endpoint = domain.get("Endpoints", {}).get("vpc") or domain["Endpoint"]
    assert parser["elasticsearch"]["host"] == endpoint.split(":")[0]
    assert parser["elasticsearch"]["connection_type"] == "aws"
