"""The Kubernetes hand-off: what the connections role's ``k8s`` entry point writes in ``<connections_dir>/k8s/``.

It needs no sandbox. A fixture playbook hands the entry point a sample ``services`` dict; the plain Secrets read their
values from a moto server of this module's own, on a free port. The manifests are checked against the Kubernetes
schemas (kubernetes-validate) and the ExternalSecret and SecretStore against the CRD schemas of External Secrets
Operator v2.9.0, vendored in ``fixtures/eso-v2.9.0/`` (see the README there).
"""

from __future__ import annotations

import copy
import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import jsonschema
import kubernetes_validate
import pytest
import yaml
from moto.server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PLAYBOOK = FIXTURES / "k8s" / "handoff.yml"
INVENTORY = FIXTURES / "k8s" / "inventory.yml"
CA_BUNDLE = FIXTURES / "k8s" / "ca.pem"
ESO_SCHEMAS = FIXTURES / "eso-v2.9.0"
ANSIBLE_PLAYBOOK = str(Path(sys.executable).parent / "ansible-playbook")

# The oldest Kubernetes minor EKS still supports as these tests were written, and the newest kubernetes-validate knows.
KUBERNETES_VERSIONS = ("1.33.0", "1.37.0")
ACCOUNT = "123456789012"
REGION = "us-east-1"
KMS_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
IRSA_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/openedx-handoff-external-secrets"
# Planted credentials: characters a URL's user part must escape, each value unique enough to search for.
PLANTED = {
    "mysql": {"username": "openedx", "password": "Planted-MySQL:pw%1#A?b"},
    "documentdb": {"username": "docdbadmin", "password": "Planted-DocDB:pw%2#C?d"},
    "opensearch": {"username": "openedx", "password": "Planted-Search-pw3-E"},
    "redis": {"auth_token": "Planted-Redis&tok#4$F^g"},
}
PLANTED_VALUES = [value for fields in PLANTED.values() for key, value in fields.items() if key != "username"]
SERVICES = ("mysql", "documentdb", "opensearch", "redis")
RFC1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$")


@pytest.fixture(scope="session", autouse=True)
def running_sandbox():
    """Overrides conftest.py's fixture of the same name, which starts the sandbox: these tests need none."""
    yield


@pytest.fixture(scope="module")
def secretsmanager() -> Iterator[dict]:
    """A moto server on a free port holding the four services' secrets, in the shape the roles store them."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("secretsmanager", endpoint_url=endpoint, region_name=REGION,
                          aws_access_key_id="handoff-access-key", aws_secret_access_key="handoff-secret-key")
    arns = {}
    for service, fields in PLANTED.items():
        value = dict(fields) if service == "redis" else {
            **fields, "engine": service, "host": f"{service}.example.internal", "port": 1234, "dbname": "openedx"}
        arns[service] = client.create_secret(Name=f"openedx/handoff/{service}/app",
                                             SecretString=json.dumps(value))["ARN"]
    yield {"endpoint": endpoint, "arns": arns}
    server.stop()


def sample_services(arns: dict[str, str]) -> dict:
    """The services of a connections.yml, shaped like the one the main job writes."""
    ca = str(CA_BUNDLE)
    cluster = "c1a2b3c4d5e6.us-east-1"
    return {
        "mysql": {
            "service": "mysql", "host": f"openedx-handoff-mysql.{cluster}.rds.amazonaws.com", "port": 3306,
            "database": "openedx", "username": "openedx", "secret_arn": arns["mysql"], "ca_bundle": ca,
            "tls": "required", "engine": "mysql", "engine_version": "8.0.42",
        },
        "documentdb": {
            "service": "documentdb", "host": f"openedx-handoff-docdb.cluster-{cluster}.docdb.amazonaws.com",
            "reader_host": f"openedx-handoff-docdb.cluster-ro-{cluster}.docdb.amazonaws.com", "port": 27017,
            "username": "docdbadmin", "secret_arn": arns["documentdb"], "ca_bundle": ca, "tls": "required",
            "connection_string": f"mongodb://docdbadmin@openedx-handoff-docdb.cluster-{cluster}.docdb.amazonaws.com"
                                 f":27017/?tls=true&tlsCAFile={ca}&replicaSet=rs0"
                                 "&readPreference=secondaryPreferred&retryWrites=false",
        },
        "opensearch": {
            "service": "opensearch", "endpoint": "https://vpc-openedx-handoff-search-abc123.us-east-1.es.amazonaws.com",
            "dashboards_url": "https://vpc-openedx-handoff-search-abc123.us-east-1.es.amazonaws.com/_dashboards",
            "username": "openedx", "secret_arn": arns["opensearch"], "ca_bundle": "",
        },
        "redis": {
            "service": "redis", "primary_host": "master.openedx-handoff-redis.abc123.use1.cache.amazonaws.com",
            "reader_host": "replica.openedx-handoff-redis.abc123.use1.cache.amazonaws.com", "port": 6379,
            "url": "rediss://master.openedx-handoff-redis.abc123.use1.cache.amazonaws.com:6379",
            "secret_arn": arns["redis"], "ca_bundle": ca, "tls": "required",
        },
    }


def handoff(directory: Path, secretsmanager: dict, *args: str, services: dict | None = None,
            **settings) -> subprocess.CompletedProcess:
    """Run the k8s entry point on the sample services, writing into directory/k8s."""
    extra_vars = {
        "__connections_services": sample_services(secretsmanager["arns"]) if services is None else services,
        "connections_dir": str(directory),
        "data_services_environment": "handoff",
        "data_services_region": REGION,
        "data_services_aws_endpoint_url": secretsmanager["endpoint"],
        "data_services_aws_access_key": "handoff-access-key",
        "data_services_aws_secret_key": "handoff-secret-key",
        "connections_k8s_kms_key_arn": KMS_KEY_ARN,
        "connections_k8s_irsa_role_arn": IRSA_ROLE_ARN,
        **settings,
    }
    # ansible.cfg's collections_path starts with the checkout's .collections, which links to the checkout itself.
    environment = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                       ANSIBLE_FORCE_COLOR="0", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    return subprocess.run([ANSIBLE_PLAYBOOK, str(PLAYBOOK), "-i", str(INVENTORY), "-e", json.dumps(extra_vars), *args],
                          cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=300, check=False)


def succeeded(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout[-4000:]
    return result.stdout


def recap(output: str) -> dict[str, int]:
    line = next(line for line in output.splitlines() if line.startswith("localhost ") and "ok=" in line)
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", line)}


def load(path: Path) -> dict:
    documents = [document for document in yaml.safe_load_all(path.read_text()) if document is not None]
    assert len(documents) == 1, path
    return documents[0]


def manifests(k8s: Path) -> dict[str, dict]:
    """The manifests kustomization.yaml lists, by file name."""
    return {name: load(k8s / name) for name in load(k8s / "kustomization.yaml")["resources"]}


@pytest.fixture(scope="module")
def generated(tmp_path_factory, secretsmanager) -> tuple[Path, subprocess.CompletedProcess]:
    """The hand-off with the defaults: External Secrets Operator manifests, no plain Secret."""
    directory = tmp_path_factory.mktemp("default")
    result = handoff(directory, secretsmanager)
    succeeded(result)
    return directory / "k8s", result


@pytest.fixture(scope="module")
def with_plain(tmp_path_factory, secretsmanager) -> tuple[Path, subprocess.CompletedProcess]:
    """The hand-off with plain Secrets, at -vvvv: the output must still hold no credential."""
    directory = tmp_path_factory.mktemp("plain")
    result = handoff(directory, secretsmanager, "-vvvv", connections_k8s_plain_secret=True)
    succeeded(result)
    return directory / "k8s", result


def strict(schema):
    """The CRD schema, rejecting fields it does not name, as kubectl's server-side field validation does: the API
    server would otherwise prune a misspelt field silently."""
    if isinstance(schema, dict):
        schema = {key: strict(value) for key, value in schema.items()}
        if (schema.get("type") == "object" and "properties" in schema and "additionalProperties" not in schema
                and not schema.get("x-kubernetes-preserve-unknown-fields")):
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    return schema


def crd_validator(kind: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(strict(json.loads((ESO_SCHEMAS / f"{kind.lower()}-v1.json").read_text())))


def test_writes_the_external_secrets_operator_manifests_and_the_policy(generated):
    k8s = generated[0]
    expected = ["serviceaccount.yaml", "configmap-ca-bundle.yaml", "secretstore.yaml",
                *(f"externalsecret-{service}.yaml" for service in SERVICES)]
    assert load(k8s / "kustomization.yaml")["resources"] == expected
    assert sorted(path.name for path in k8s.iterdir()) == sorted([*expected, "kustomization.yaml", "irsa-policy.json"])
    assert not (k8s / "plain").exists()
    kinds = {name: (document["apiVersion"], document["kind"]) for name, document in manifests(k8s).items()}
    assert kinds == {
        "serviceaccount.yaml": ("v1", "ServiceAccount"),
        "configmap-ca-bundle.yaml": ("v1", "ConfigMap"),
        "secretstore.yaml": ("external-secrets.io/v1", "SecretStore"),
        **{f"externalsecret-{service}.yaml": ("external-secrets.io/v1", "ExternalSecret") for service in SERVICES},
    }


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_core_objects_pass_the_kubernetes_schemas(generated, with_plain, version):
    k8s = generated[0]
    core = [document for document in manifests(k8s).values() if document["apiVersion"] == "v1"]
    core += [load(path) for path in sorted((with_plain[0] / "plain").iterdir())]
    assert {document["kind"] for document in core} == {"ServiceAccount", "ConfigMap", "Secret"}
    for document in core:
        kubernetes_validate.validate(document, version, strict=True)


def test_every_object_has_valid_names_and_labels(generated):
    """What no OpenAPI schema checks and the API server refuses: names and label values."""
    for name, document in manifests(generated[0]).items():
        metadata = document["metadata"]
        assert RFC1123_LABEL.match(metadata["name"]), name
        assert metadata["namespace"] == "openedx", name
        assert all(LABEL_VALUE.match(value) for value in metadata["labels"].values()), name


@pytest.mark.parametrize("kind", ["SecretStore", "ExternalSecret"])
def test_external_secrets_objects_pass_the_crd_schema_of_the_release(generated, kind):
    validator = crd_validator(kind)
    documents = [document for document in manifests(generated[0]).values() if document["kind"] == kind]
    assert documents
    for document in documents:
        errors = [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
                  for error in validator.iter_errors(document)]
        assert not errors, errors


def test_the_strict_crd_schema_refuses_a_misspelt_field(generated):
    """The check above can fail: a field the CRD does not name is an error, not pruned."""
    store = copy.deepcopy(load(generated[0] / "secretstore.yaml"))
    store["spec"]["provider"]["aws"]["regoin"] = store["spec"]["provider"]["aws"].pop("region")
    messages = [error.message for error in crd_validator("SecretStore").iter_errors(store)]
    assert any("'region' is a required property" in message for message in messages), messages
    assert any("'regoin' was unexpected" in message for message in messages), messages


def test_the_store_reads_secrets_manager_as_the_irsa_service_account(generated):
    k8s = generated[0]
    account = load(k8s / "serviceaccount.yaml")
    assert account["metadata"]["name"] == "openedx-data-services"
    assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": IRSA_ROLE_ARN}
    store = load(k8s / "secretstore.yaml")
    assert store["spec"]["provider"] == {"aws": {
        "service": "SecretsManager", "region": REGION,
        "auth": {"jwt": {"serviceAccountRef": {"name": "openedx-data-services"}}}}}


def test_each_external_secret_assembles_the_service_settings(generated, secretsmanager):
    k8s = generated[0]
    arns = secretsmanager["arns"]
    specs = {service: load(k8s / f"externalsecret-{service}.yaml")["spec"] for service in SERVICES}
    for service, spec in specs.items():
        assert spec["refreshInterval"] == "1h"
        assert spec["secretStoreRef"] == {"kind": "SecretStore", "name": "openedx-data-services"}
        assert spec["target"]["name"] == f"openedx-{service}"
        assert {ref["remoteRef"]["key"] for ref in spec["data"]} == {arns[service]}
        assert [ref["secretKey"] for ref in spec["data"]] == list(PLANTED[service])
    data = {service: spec["target"]["template"]["data"] for service, spec in specs.items()}
    ca = "/etc/openedx/data-services/ca-bundle.pem"
    assert data["mysql"] == {
        "MYSQL_HOST": "openedx-handoff-mysql.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com", "MYSQL_PORT": "3306",
        "OPENEDX_MYSQL_DATABASE": "openedx", "OPENEDX_MYSQL_USERNAME": "{{ .username }}",
        "OPENEDX_MYSQL_PASSWORD": "{{ .password }}", "MYSQL_CA_FILE": ca}
    host = "openedx-handoff-docdb.cluster-c1a2b3c4d5e6.us-east-1.docdb.amazonaws.com"
    assert data["documentdb"]["MONGODB_URI"] == (
        f"mongodb://{{{{ .username | urlquery }}}}:{{{{ .password | urlquery }}}}@{host}:27017/?tls=true"
        f"&tlsCAFile={ca}&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false")
    assert data["documentdb"]["MONGODB_PASSWORD"] == "{{ .password }}"
    assert data["documentdb"]["MONGODB_CA_FILE"] == ca
    assert data["redis"]["REDIS_URL"] == (
        "rediss://:{{ .auth_token | urlquery }}@master.openedx-handoff-redis.abc123.use1.cache.amazonaws.com:6379")
    assert data["redis"]["REDIS_PASSWORD"] == "{{ .auth_token }}"
    assert data["opensearch"] == {
        "OPENSEARCH_ENDPOINT": "https://vpc-openedx-handoff-search-abc123.us-east-1.es.amazonaws.com",
        "OPENSEARCH_USERNAME": "{{ .username }}", "OPENSEARCH_PASSWORD": "{{ .password }}",
        "ELASTICSEARCH_SCHEME": "https",
        "ELASTICSEARCH_HOST": "vpc-openedx-handoff-search-abc123.us-east-1.es.amazonaws.com",
        "ELASTICSEARCH_PORT": "443"}


def test_the_ca_bundle_configmap_holds_the_public_bundle(generated):
    configmap = load(generated[0] / "configmap-ca-bundle.yaml")
    assert configmap["metadata"]["name"] == "openedx-data-services-ca"
    assert configmap["data"] == {"ca-bundle.pem": CA_BUNDLE.read_text().strip() + "\n"}


def test_the_irsa_policy_names_exactly_the_secrets_and_the_key(generated, secretsmanager):
    policy = json.loads((generated[0] / "irsa-policy.json").read_text())
    statements = {statement["Sid"]: statement for statement in policy["Statement"]}
    read = statements["ReadTheDataServicesSecrets"]
    assert read["Effect"] == "Allow"
    assert sorted(read["Action"]) == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    assert read["Resource"] == sorted(secretsmanager["arns"].values())
    decrypt = statements["DecryptThemWithTheEnvironmentKey"]
    assert (decrypt["Action"], decrypt["Resource"]) == ("kms:Decrypt", KMS_KEY_ARN)
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}}
    assert len(policy["Statement"]) == 2
    assert "*" not in json.dumps([statement["Resource"] for statement in policy["Statement"]])


def test_no_credential_is_written_by_default(generated):
    k8s, result = generated
    for path in k8s.rglob("*"):
        text = path.read_text()
        assert not [value for value in PLANTED_VALUES if value in text], path
    assert not [value for value in PLANTED_VALUES if value in result.stdout]


def test_plain_secrets_hold_the_values_in_files_only_their_owner_reads(with_plain):
    k8s = with_plain[0]
    plain = k8s / "plain"
    assert stat.S_IMODE(plain.stat().st_mode) == 0o700
    files = sorted(plain.iterdir())
    assert [path.name for path in files] == sorted(f"secret-{service}.yaml" for service in SERVICES)
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files)
    secrets = {path.name: load(path) for path in files}
    mysql = secrets["secret-mysql.yaml"]
    assert (mysql["kind"], mysql["metadata"]["name"]) == ("Secret", "openedx-mysql")
    assert mysql["stringData"]["OPENEDX_MYSQL_PASSWORD"] == PLANTED["mysql"]["password"]
    assert mysql["stringData"]["OPENEDX_MYSQL_USERNAME"] == "openedx"
    uri = secrets["secret-documentdb.yaml"]["stringData"]["MONGODB_URI"]
    assert uri.startswith("mongodb://docdbadmin:Planted-DocDB%3Apw%252%23C%3Fd@openedx-handoff-docdb.cluster-")
    assert uri.endswith("&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false")
    redis = secrets["secret-redis.yaml"]["stringData"]
    assert redis["REDIS_PASSWORD"] == PLANTED["redis"]["auth_token"]
    assert redis["REDIS_URL"].startswith("rediss://:Planted-Redis%26tok%234%24F%5Eg@master.")
    # The ESO templates and the plain Secrets carry the same keys.
    for service in SERVICES:
        template = load(k8s / f"externalsecret-{service}.yaml")["spec"]["target"]["template"]["data"]
        assert list(secrets[f"secret-{service}.yaml"]["stringData"]) == list(template), service


def test_plain_secrets_leave_no_credential_elsewhere_even_at_vvvv(with_plain):
    k8s, result = with_plain
    assert "Write a plain Secret for each service" in result.stdout
    assert not [value for value in PLANTED_VALUES if value in result.stdout]
    for path in k8s.glob("*"):
        if path.is_file():
            assert not [value for value in PLANTED_VALUES if value in path.read_text()], path


def test_only_the_services_handed_off_and_a_second_run_changes_nothing(tmp_path, secretsmanager, with_plain):
    services = sample_services(secretsmanager["arns"])
    succeeded(handoff(tmp_path, secretsmanager, connections_k8s_plain_secret=True))
    mysql_only = {"mysql": services["mysql"]}
    output = succeeded(handoff(tmp_path, secretsmanager, services=mysql_only))
    k8s = tmp_path / "k8s"
    assert not (k8s / "plain").exists()
    assert sorted(path.name for path in k8s.glob("externalsecret-*.yaml")) == ["externalsecret-mysql.yaml"]
    assert json.loads((k8s / "irsa-policy.json").read_text())["Statement"][0]["Resource"] == [
        secretsmanager["arns"]["mysql"]]
    assert recap(output)["failed"] == 0
    again = succeeded(handoff(tmp_path, secretsmanager, services=mysql_only))
    assert recap(again)["changed"] == 0, again[-3000:]


def test_nothing_is_applied_without_a_kubeconfig(generated):
    result = generated[1]
    for task in ("Ensure the namespace exists", "Apply the service account, the CA bundle"):
        section = result.stdout.split(task, 1)[1].split("TASK [", 1)[0]
        assert "skipping: [localhost]" in section and "changed:" not in section and "ok:" not in section


@pytest.fixture
def unreachable_kubeconfig(tmp_path) -> Path:
    """A kubeconfig of a cluster that is not there (the discard port of this machine)."""
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "none",
        "clusters": [{"name": "none", "cluster": {"server": "https://127.0.0.1:9"}}],
        "users": [{"name": "none", "user": {"token": "not-a-token"}}],
        "contexts": [{"name": "none", "context": {"cluster": "none", "user": "none"}}],
    }))
    return path


def test_check_mode_applies_nothing_even_with_a_kubeconfig(tmp_path, secretsmanager, unreachable_kubeconfig):
    output = succeeded(handoff(tmp_path, secretsmanager, "--check",
                               connections_k8s_kubeconfig=str(unreachable_kubeconfig)))
    section = output.split("Ensure the namespace exists", 1)[1].split("TASK [", 1)[0]
    assert "skipping: [localhost]" in section
    assert not (tmp_path / "k8s").exists()


def test_a_kubeconfig_makes_the_run_apply(tmp_path, secretsmanager, unreachable_kubeconfig):
    """The counterpart of the two tests above: with a kubeconfig and outside check mode, the run reaches for the
    cluster (here absent, so the apply fails), once the manifests are written."""
    result = handoff(tmp_path, secretsmanager, connections_k8s_kubeconfig=str(unreachable_kubeconfig))
    assert result.returncode != 0
    assert "TASK [openedx.data_services.connections : Ensure the namespace exists]" in result.stdout
    assert "fatal: [localhost]" in result.stdout.split("Ensure the namespace exists", 1)[1]
    assert (tmp_path / "k8s" / "externalsecret-redis.yaml").exists()


def test_a_kms_key_that_is_not_an_arn_fails_before_anything_is_written(tmp_path, secretsmanager):
    # The other settings are checked with every input, before any AWS call (tests/system/test_bad_input.py); the
    # key defaults to the kms role's result, so it is checked here.
    result = handoff(tmp_path, secretsmanager, connections_k8s_kms_key_arn="")
    assert result.returncode != 0
    failure = result.stdout.split("fatal: [localhost]", 1)[1]
    assert "connections_k8s_kms_key_arn" in failure and "must be" in failure, failure[:2000]
    assert not (tmp_path / "k8s").exists()


def test_a_service_without_a_secret_arn_fails_naming_it(tmp_path, secretsmanager):
    services = sample_services(secretsmanager["arns"])
    services["redis"]["secret_arn"] = ""
    result = handoff(tmp_path, secretsmanager, services=services)
    assert result.returncode != 0
    assert "The redis entry of connections.yml needs secret_arn" in result.stdout
    assert not (tmp_path / "k8s").exists()
