"""The Analytics hand-off (roles/analytics/tasks/handoff.yml) on fact fixtures: a KMS key, the buckets and the four
secrets made in the sandbox, the facts of the stack's other parts set from them (fixtures/analytics_handoff.yml).

What the pipeline, edx/configuration and edx-analytics-configuration read must agree with those inputs: the
override parses as the pipeline's INI and names the buckets, databases, index alias and search host; vars-analytics.yml
loads and its passwords resolve to the secrets (lookups, and vault values decrypted with --vault-id); the credentials
files read back from S3 are JSON with a string port, encrypted with the key. A second run changes nothing and makes no
mutating call, and --check makes none, converged or not. No password is in any file on disk or in the -vvvv output.
"""

from __future__ import annotations

import configparser
import json
import os
import secrets
import stat
import subprocess
from pathlib import Path

import boto3
import pytest
import yaml
from conftest import ANSIBLE_PLAYBOOK, PYTHON, ROOT, ledger, recap, run_playbook, sandbox

ENDPOINT = f"http://127.0.0.1:{os.environ.get('SANDBOX_AWS_PORT', '4566')}"
REGION = "us-east-1"
PLAYBOOK = "tests/system/fixtures/analytics_handoff.yml"
CONSUMER = ROOT / "tests" / "system" / "fixtures" / "analytics_consumer.yml"
FILES = {"vars-analytics.yml": 0o640, "analytics-override.cfg": 0o644, "jenkins_env": 0o644, "emr-vars.yml": 0o644}
SEARCH_HOST = "vpc-openedx-handoff-analytics-abc123.us-east-1.es.amazonaws.com"
CA_BUNDLE = "/etc/ssl/certs/rds-global-bundle.pem"


class _Loader(yaml.SafeLoader):
    """Reads !vault values as the tagged ciphertext."""


_Loader.add_constructor("!vault", lambda loader, node: {"!vault": loader.construct_scalar(node)})


def aws(service: str):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id="sandbox-access-key",
                        aws_secret_access_key="sandbox-secret-key")


def password() -> str:
    return "Pw" + secrets.token_hex(15)


def make_secret(name: str, username: str, host: str, dbname: str = "") -> tuple[str, str]:
    value = password()
    arn = aws("secretsmanager").create_secret(Name=name, SecretString=json.dumps(
        {"username": username, "password": value, "engine": "mysql", "host": host, "port": 3306,
         "dbname": dbname}))["ARN"]
    return arn, value


def make_bucket(name: str, key_arn: str) -> str:
    s3 = aws("s3")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}}]})
    return name


class Stack:
    """The sandbox resources and the facts of one hand-off environment."""

    def __init__(self, tmp: Path) -> None:
        suffix = secrets.token_hex(3)
        self.name = f"handoff-{suffix}"
        prefix = f"openedx-{self.name}"
        self.key_arn = aws("kms").create_key(Description=f"{prefix} data services")["KeyMetadata"]["Arn"]
        self.buckets = {kind: f"{prefix}-{kind.replace('_', '-')}" for kind in
                        ("pipeline", "emr", "emr_logs", "reports", "tracking_logs")}
        self.buckets["pipeline"] = f"{prefix}-analytics"
        for bucket in self.buckets.values():
            make_bucket(bucket, self.key_arn)
        analytics_host = f"{prefix}-analytics-mysql.abcdefgh.{REGION}.rds.amazonaws.com"
        edxapp_host = f"{prefix}-mysql.abcdefgh.{REGION}.rds.amazonaws.com"
        secret_prefix = f"openedx/{self.name}"
        analytics_arn, analytics = make_secret(f"{secret_prefix}/analytics-mysql/analytics", "analytics",
                                               analytics_host)
        reports_arn, reports = make_secret(f"{secret_prefix}/analytics-mysql/reports001", "reports001",
                                           analytics_host, "reports")
        migrate_arn, migrate = make_secret(f"{secret_prefix}/mysql/migrate", "migrate", edxapp_host)
        edxapp_arn, edxapp = make_secret(f"{secret_prefix}/mysql/edxapp_ro", "edxapp_ro", edxapp_host)
        self.passwords = {"analytics": analytics, "reports": reports, "migration": migrate,
                          "edxapp_read_only": edxapp}
        self.analytics_host, self.edxapp_host = analytics_host, edxapp_host
        kinds = ("instance", "emr_master", "emr_worker", "mysql", "search")
        groups = {kind: f"sg-{secrets.token_hex(8)}" for kind in kinds}
        account = "arn:aws:iam::123456789012"
        self.fixture = {
            "data_services_result": {"tags": {"Environment": self.name, "ManagedBy": "openedx.data_services"},
                                     "partition": "aws", "account_id": "123456789012"},
            "kms_result": {"key_arn": self.key_arn},
            "analytics_result": {
                "buckets": self.buckets,
                "roles": {
                    "emr_service_role": f"{prefix}-emr-service",
                    "emr_service_role_arn": f"{account}:role/openedx/{prefix}-emr-service",
                    "emr_ec2_role": f"{prefix}-emr-ec2",
                    "emr_ec2_role_arn": f"{account}:role/openedx/{prefix}-emr-ec2",
                    "emr_ec2_instance_profile": f"{prefix}-emr-ec2",
                    "instance_role": f"{prefix}-analytics",
                    "instance_role_arn": f"{account}:role/openedx/{prefix}-analytics",
                    "instance_profile": f"{prefix}-analytics",
                    "reports_reader_role_arn": f"{account}:role/openedx/{prefix}-analytics-reports",
                },
                "security_groups": groups,
            },
            "analytics_mysql": {
                "host": analytics_host, "port": 3306, "databases": ["dashboard", "analytics-api", "reports"],
                "username": "analytics", "secret_arn": analytics_arn,
                "migration_username": "migrate", "migration_secret_arn": migrate_arn,
                "read_only_username": "reports001", "read_only_secret_arn": reports_arn,
                "ca_bundle": CA_BUNDLE,
            },
            "analytics_edxapp_ro": {"host": edxapp_host, "port": 3306, "username": "edxapp_ro",
                                    "secret_arn": edxapp_arn, "database": "edxapp", "ca_bundle": CA_BUNDLE},
            "analytics_search": {"endpoint": SEARCH_HOST,
                                 "arn": f"arn:aws:es:{REGION}:123456789012:domain/{prefix}-analytics"},
        }
        self.fixture_file = tmp / f"{self.name}.json"
        self.fixture_file.write_text(json.dumps({"fixture": self.fixture}))
        self.subnet = f"subnet-{secrets.token_hex(8)}"

    def extra_vars(self, analytics_dir: Path, **more) -> dict:
        return {"analytics_dir": str(analytics_dir), "data_services_environment": self.name,
                "data_services_name_prefix": "openedx", "data_services_region": REGION,
                "data_services_aws_endpoint_url": ENDPOINT, "data_services_private_subnet_ids": [self.subnet],
                "ansible_python_interpreter": PYTHON, **more}

    def run(self, analytics_dir: Path, *args: str, **more) -> subprocess.CompletedProcess:
        return run_playbook(*args, "-e", f"@{self.fixture_file}", playbook=PLAYBOOK, inventory="localhost,",
                            extra_vars=self.extra_vars(analytics_dir, **more))


def measured(stack: Stack, analytics_dir: Path, *args: str, **more) -> tuple[subprocess.CompletedProcess, dict]:
    """A run and the AWS calls it made."""
    sandbox("reset")
    run = stack.run(analytics_dir, *args, **more)
    return run, ledger()


@pytest.fixture(scope="module")
def environment():
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "sandbox-access-key")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "sandbox-secret-key")


@pytest.fixture(scope="module")
def stack(environment, tmp_path_factory) -> Stack:
    return Stack(tmp_path_factory.mktemp("analytics-fixture"))


@pytest.fixture(scope="module")
def lookup_runs(stack, tmp_path_factory):
    """The hand-off in lookup mode: written at -vvvv, run again, then in check mode."""
    directory = tmp_path_factory.mktemp("lookup") / "analytics"
    first, first_calls = measured(stack, directory, "-vvvv")
    assert first.returncode == 0, first.stdout[-5000:]
    again, again_calls = measured(stack, directory, "-vvvv")
    checked, checked_calls = measured(stack, directory, "--check", "--diff")
    return {"dir": directory, "first": (first, first_calls), "again": (again, again_calls),
            "check": (checked, checked_calls)}


@pytest.fixture(scope="module")
def vault_runs(stack, tmp_path_factory):
    """The hand-off in vault mode, written at -vvvv and run again."""
    tmp = tmp_path_factory.mktemp("vault")
    password_file = tmp / "vault-password"
    password_file.write_text("correct horse battery staple\n")
    directory = tmp / "analytics"
    settings = {"data_services_handoff_secrets": "vault", "data_services_handoff_vault_id": "analytics",
                "data_services_handoff_vault_password_file": str(password_file)}
    first, first_calls = measured(stack, directory, "-vvvv", **settings)
    assert first.returncode == 0, first.stdout[-5000:]
    again, again_calls = measured(stack, directory, "-vvvv", **settings)
    return {"dir": directory, "password_file": password_file, "first": (first, first_calls),
            "again": (again, again_calls)}


def consume(vars_file: Path, stack: Stack, *args: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                       EXPECTED_PASSWORDS=json.dumps(stack.passwords))
    command = [ANSIBLE_PLAYBOOK, "-i", "localhost,", str(CONSUMER), "-e", f"@{vars_file}",
               "-e", f"ansible_python_interpreter={PYTHON}", *args]
    return subprocess.run(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=300, check=False)


def override(directory: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read_string((directory / "analytics-override.cfg").read_text())
    return parser


def load(path: Path) -> dict:
    return yaml.load(path.read_text(), Loader=_Loader)


def test_writes_the_four_files_with_their_modes(lookup_runs):
    for name, mode in FILES.items():
        path = lookup_runs["dir"] / name
        assert path.is_file(), name
        assert stat.S_IMODE(path.stat().st_mode) == mode, name


def test_override_is_the_pipelines_ini_and_agrees_with_the_inputs(lookup_runs, stack):
    config = override(lookup_runs["dir"])
    pipeline, buckets = f"s3://{stack.buckets['pipeline']}/", stack.buckets
    assert config["database-import"]["database"] == "edxapp"
    assert config["database-import"]["credentials"] == f"{pipeline}config/edxapp_creds"
    assert config["database-import"]["destination"] == config["hive"]["warehouse_path"] == f"{pipeline}warehouse/hive/"
    assert config["database-export"]["database"] == "reports"
    assert config["database-export"]["credentials"] == f"{pipeline}config/edxanalytics_creds"
    assert json.loads(config["event-logs"]["source"]) == [f"s3://{buckets['tracking_logs']}/logs/tracking/"]
    assert json.loads(config["event-logs"]["pattern"]) == [".*tracking.log-(?P<date>[0-9]+).*"]
    assert config["map-reduce"]["marker"].startswith(pipeline)
    assert config["manifest"]["path"].startswith(pipeline)
    assert config["manifest"]["lib_jar"] == f"s3://{buckets['emr']}/edx-analytics-hadoop-util.jar"
    assert config["geolocation"]["geolocation_data"] == f"{pipeline}GeoIP.dat"
    assert config["elasticsearch"]["host"] == SEARCH_HOST and config["elasticsearch"]["connection_type"] == "aws"
    assert config["module-engagement"]["alias"] == "roster_1_2"
    assert config["problem-response"]["report_output_root"] == f"s3://{buckets['reports']}/"
    assert config["calendar"]["interval"] == "2013-01-01-2040-01-01"


def test_vars_carry_the_analytics_roles_names(lookup_runs, stack):
    values = load(lookup_runs["dir"] / "vars-analytics.yml")
    api = values["ANALYTICS_API_DATABASES"]
    assert api["default"]["NAME"] == values["ANALYTICS_API_DEFAULT_DB_NAME"] == "analytics-api"
    assert api["default"]["USER"] == values["ANALYTICS_API_DEFAULT_USER"] == "analytics"
    assert api["reports"]["NAME"] == values["ANALYTICS_API_REPORTS_DB_NAME"] == "reports"
    assert api["reports"]["USER"] == values["ANALYTICS_API_REPORTS_USER"] == "reports001"
    assert values["ANALYTICS_DB_CONFIG_ALIAS"] == "reports" and set(api) == {"default", "reports"}
    insights = values["INSIGHTS_DATABASES"]["default"]
    assert insights["NAME"] == values["INSIGHTS_DATABASE_NAME"] == "dashboard" and insights["USER"] == "analytics"
    for entry in (api["default"], api["reports"], insights):
        assert entry["ENGINE"] == "django.db.backends.mysql" and entry["HOST"] == stack.analytics_host
        assert entry["PORT"] == "3306"
        assert entry["OPTIONS"]["ssl_mode"] == "VERIFY_IDENTITY" and entry["OPTIONS"]["ssl"] == {"ca": CA_BUNDLE}
        assert entry["OPTIONS"]["init_command"] == "SET sql_mode='STRICT_TRANS_TABLES'"
    options = api["default"]["OPTIONS"]
    assert values["ANALYTICS_API_DEFAULT_MYSQL_OPTIONS"] == options == values["INSIGHTS_MYSQL_OPTIONS"]
    assert values["COMMON_MYSQL_MIGRATE_USER"] == "migrate"
    assert values["COMMON_ANALYTICS_MYSQL_READ_ONLY_USER"] == "edxapp_ro"
    assert values["ANALYTICS_PIPELINE_OUTPUT_DATABASE"] == {
        "username": "analytics", "password": "{{ ANALYTICS_PIPELINE_OUTPUT_DATABASE_PASSWORD }}",
        "host": stack.analytics_host, "port": 3306}
    assert values["ANALYTICS_PIPELINE_OUTPUT_DATABASE_NAME"] == "reports"
    assert values["ANALYTICS_PIPELINE_INPUT_DATABASE"]["host"] == stack.edxapp_host
    assert values["ANALYTICS_PIPELINE_INPUT_DATABASE"]["username"] == "edxapp_ro"
    assert values["ANALYTICS_API_ELASTICSEARCH_LEARNERS_HOST"] == f"https://{SEARCH_HOST}"
    assert values["ANALYTICS_API_ELASTICSEARCH_LEARNERS_INDEX_ALIAS"] == override(lookup_runs["dir"])[
        "module-engagement"]["alias"]
    assert values["ANALYTICS_API_ELASTICSEARCH_CONNECTION_CLASS"] == (
        "analytics_data_api.v0.connections.BotoHttpConnection")
    assert values["ANALYTICS_API_ELASTICSEARCH_CONNECTION_DEFAULT_REGION"] == REGION
    assert not [name for name in values if "ACCESS_KEY" in name]
    backend = values["ANALYTICS_API_REPORT_DOWNLOAD_BACKEND"]
    assert backend["AWS_STORAGE_BUCKET_NAME"] == stack.buckets["reports"]
    assert backend["DEFAULT_FILE_STORAGE"] == "storages.backends.s3boto3.S3Boto3Storage"


def test_lookup_mode_names_each_secret_and_resolves_to_it(lookup_runs, stack):
    values = load(lookup_runs["dir"] / "vars-analytics.yml")
    mysql, edxapp = stack.fixture["analytics_mysql"], stack.fixture["analytics_edxapp_ro"]
    secrets_of = {"ANALYTICS_API_DEFAULT_PASSWORD": mysql["secret_arn"],
                  "ANALYTICS_API_REPORTS_PASSWORD": mysql["read_only_secret_arn"],
                  "COMMON_MYSQL_MIGRATE_PASS": mysql["migration_secret_arn"],
                  "COMMON_ANALYTICS_MYSQL_READ_ONLY_PASS": edxapp["secret_arn"]}
    for name, arn in secrets_of.items():
        assert values[name].startswith(f"{{{{ lookup('amazon.aws.secretsmanager_secret', '{arn}.password'"), name
    consumed = consume(lookup_runs["dir"] / "vars-analytics.yml", stack)
    assert consumed.returncode == 0, consumed.stdout[-3000:]


def test_only_vars_analytics_names_a_secret(lookup_runs):
    for name in FILES:
        text = (lookup_runs["dir"] / name).read_text()
        assert ("secretsmanager" in text) == (name == "vars-analytics.yml"), name


def test_jenkins_env_and_emr_vars_agree_with_the_inputs(lookup_runs, stack):
    env = dict(line.removeprefix("export ").split("=", 1) for line in
               (lookup_runs["dir"] / "jenkins_env").read_text().splitlines() if line.startswith("export "))
    buckets = stack.buckets
    assert env["TRACKING_LOGS_S3_BUCKET"] == f"s3://{buckets['tracking_logs']}"
    assert env["HADOOP_S3_BUCKET"] == f"s3://{buckets['pipeline']}"
    assert env["TASK_CONFIGURATION_S3_BUCKET"] == f"s3://{buckets['emr']}"
    assert env["EXTRA_VARS"] == "@/home/jenkins/emr-vars.yml" and env["TASK_USER"] == "hadoop"
    assert env["OVERRIDE_CONFIG"] == "/home/jenkins/analytics-override.cfg" and env["AWS_REGION"] == REGION
    assert env["CLUSTER_NAME"] == f"openedx-{stack.name}-pipeline"
    emr = yaml.safe_load((lookup_runs["dir"] / "emr-vars.yml").read_text())
    roles, groups = stack.fixture["analytics_result"]["roles"], stack.fixture["analytics_result"]["security_groups"]
    assert emr["name"] == "{{ lookup('env', 'CLUSTER_NAME') }}" and emr["region"] == REGION
    assert emr["role"] == roles["emr_ec2_instance_profile"] and emr["service_role"] == roles["emr_service_role"]
    assert emr["keypair_name"] == f"openedx-{stack.name}-emr" and emr["vpc_subnet_id"] == stack.subnet
    assert emr["log_uri"] == f"s3://{buckets['emr_logs']}/" and emr["release_label"] == "emr-5.36.2"
    assert emr["additional_master_security_groups"] == [groups["emr_master"]]
    assert emr["additional_slave_security_groups"] == [groups["emr_worker"]]
    assert [app["name"] for app in emr["applications"]] == ["Hadoop", "Hive", "Sqoop", "Ganglia"]
    assert emr["instance_groups"]["core"] == {"num_instances": 2, "type": "m5.xlarge", "market": "ON_DEMAND"}
    emrfs = next(c for c in emr["configurations"] if c["classification"] == "emrfs-site")["properties"]
    assert emrfs["fs.s3.serverSideEncryption.kms.keyId"] == stack.key_arn
    assert emr["steps"][0]["step_args"][:2] == [f"s3://{buckets['emr']}/install-sqoop", f"s3://{buckets['emr']}"]
    assert {"Key": "Environment", "Value": stack.name} in emr["tags"]
    assert emr["bootstrap_actions"] == {}


@pytest.mark.parametrize(("name", "user", "host"), [("edxapp_creds", "edxapp_ro", "edxapp_host"),
                                                    ("edxanalytics_creds", "analytics", "analytics_host")])
def test_credentials_files_are_in_the_pipeline_bucket_under_the_key(lookup_runs, stack, name, user, host):
    response = aws("s3").get_object(Bucket=stack.buckets["pipeline"], Key=f"config/{name}")
    assert response["ServerSideEncryption"] == "aws:kms" and response["SSEKMSKeyId"] == stack.key_arn
    content = json.loads(response["Body"].read())
    secret = stack.passwords["edxapp_read_only" if user == "edxapp_ro" else "analytics"]
    assert content == {"host": getattr(stack, host), "port": "3306", "username": user, "password": secret}
    assert not (lookup_runs["dir"] / name).exists()


def test_first_run_writes_the_two_objects_only(lookup_runs):
    run, calls = lookup_runs["first"]
    assert calls["mutating"] == {"s3:PutObject": 2}, calls
    assert recap(run.stdout, "localhost")["changed"] == 2


def test_second_run_changes_nothing_and_makes_no_mutating_call(lookup_runs):
    run, calls = lookup_runs["again"]
    assert run.returncode == 0, run.stdout[-3000:]
    assert recap(run.stdout, "localhost")["changed"] == 0
    assert calls["totals"]["mutating"] == 0, calls
    assert calls["read"] == {"secretsmanager:GetSecretValue": 2, "s3:GetObject": 2}, calls


def test_check_mode_makes_no_mutating_call(lookup_runs):
    run, calls = lookup_runs["check"]
    assert run.returncode == 0, run.stdout[-3000:]
    assert recap(run.stdout, "localhost")["changed"] == 0 and calls["totals"]["mutating"] == 0, calls


def test_check_mode_before_anything_is_written_makes_no_mutating_call(stack, tmp_path):
    empty = make_bucket(f"openedx-{stack.name}-empty", stack.key_arn)
    directory = tmp_path / "analytics"
    sandbox("reset")
    fixture = json.loads(stack.fixture_file.read_text())
    fixture["fixture"]["analytics_result"]["buckets"]["pipeline"] = empty
    fixture_file = tmp_path / "fixture.json"
    fixture_file.write_text(json.dumps(fixture))
    run = run_playbook("--check", "-e", f"@{fixture_file}", playbook=PLAYBOOK, inventory="localhost,",
                       extra_vars=stack.extra_vars(directory))
    calls = ledger()
    assert run.returncode == 0, run.stdout[-3000:]
    assert recap(run.stdout, "localhost")["changed"] == 2 and calls["totals"]["mutating"] == 0, calls
    assert not directory.exists()
    assert "Contents" not in aws("s3").list_objects_v2(Bucket=empty)


def test_without_a_search_domain_there_is_no_learners_index_host(stack, tmp_path):
    fixture = json.loads(stack.fixture_file.read_text())
    fixture["fixture"]["analytics_search"] = {}
    fixture_file = tmp_path / "fixture.json"
    fixture_file.write_text(json.dumps(fixture))
    directory = tmp_path / "analytics"
    run = run_playbook("-e", f"@{fixture_file}", playbook=PLAYBOOK, inventory="localhost,",
                       extra_vars=stack.extra_vars(directory))
    assert run.returncode == 0, run.stdout[-3000:]
    assert not override(directory).has_section("elasticsearch")
    assert override(directory)["module-engagement"]["alias"] == "roster_1_2"
    assert not [name for name in load(directory / "vars-analytics.yml") if "ELASTICSEARCH" in name]


def test_vault_mode_writes_vault_values_that_decrypt_to_the_secrets(vault_runs, stack):
    values = load(vault_runs["dir"] / "vars-analytics.yml")
    for name in ("ANALYTICS_API_DEFAULT_PASSWORD", "ANALYTICS_API_REPORTS_PASSWORD", "COMMON_MYSQL_MIGRATE_PASS",
                 "COMMON_ANALYTICS_MYSQL_READ_ONLY_PASS"):
        assert values[name]["!vault"].startswith("$ANSIBLE_VAULT;1.2;AES256;analytics"), name
    assert "lookup(" not in (vault_runs["dir"] / "vars-analytics.yml").read_text()
    consumed = consume(vault_runs["dir"] / "vars-analytics.yml", stack,
                       "--vault-id", f"analytics@{vault_runs['password_file']}")
    assert consumed.returncode == 0, consumed.stdout[-3000:]


def test_vault_mode_run_again_keeps_the_ciphertext(vault_runs):
    run, calls = vault_runs["again"]
    assert run.returncode == 0, run.stdout[-3000:]
    assert recap(run.stdout, "localhost")["changed"] == 0 and calls["totals"]["mutating"] == 0, calls


def test_no_password_in_any_file_or_in_the_vvvv_output(lookup_runs, vault_runs, stack):
    outputs = [lookup_runs["first"][0].stdout, lookup_runs["again"][0].stdout, lookup_runs["check"][0].stdout,
               vault_runs["first"][0].stdout, vault_runs["again"][0].stdout]
    files = [path for directory in (lookup_runs["dir"], vault_runs["dir"]) for path in directory.rglob("*")
             if path.is_file()]
    local_tmp = Path.home() / ".ansible" / "tmp"
    files += [path for path in local_tmp.rglob("*") if path.is_file()] if local_tmp.is_dir() else []
    contents = [_read(path) for path in files]
    for value in stack.passwords.values():
        assert not [text for text in outputs if value in text]
        assert not [path for path, content in zip(files, contents, strict=True) if value.encode() in content]


def _read(path: Path) -> bytes:
    """A file's bytes; none for a temporary file another run (another test worker) removed meanwhile."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""
