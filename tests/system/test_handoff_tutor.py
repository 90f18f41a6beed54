"""The Tutor hand-off (connections role, tasks_from=tutor), applied to a throw-away Tutor 22 project.

Needs no sandbox and no AWS: passwords are vault values (and one lookup of an environment variable, resolved at
use), the services a sample; the module overrides conftest.py's fixture that starts the sandbox.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
import redis
import tutor as tutor_package
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
VAULT_PASSWORD = "handoff-vault-password"
CA_PATH = "/openedx/config/data-services-ca.pem"
PASSWORDS = {
    "mysql_master": "Planted-master-Pw-7731",
    "mysql": "Planted-app-Pw-4410",
    "documentdb": "Planted-docdb-Pw-2289",
}
REDIS_TOKEN = "Planted#Redis&Token-5562"
TOKEN_LOOKUP = "{{ lookup('ansible.builtin.env', 'HANDOFF_REDIS_TOKEN') }}"
LOOKUPS = {key: f"{{{{ lookup('amazon.aws.secretsmanager_secret', 'openedx/test/{key}') | from_json }}}}['password']"
           for key in ["mysql_master", "mysql", "documentdb", "redis"]}
HOSTS = {
    "mysql": "openedx-test-mysql.c1x2y3z4.us-east-1.rds.amazonaws.com",
    "documentdb": "openedx-test-docdb.cluster-c1x2y3z4.us-east-1.docdb.amazonaws.com",
    "redis": "master.openedx-test-redis.abc123.use1.cache.amazonaws.com",
}


def ca_pem(name: str) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def services(rds_ca: Path, redis_ca: Path) -> dict:
    return {
        "mysql": {"service": "mysql", "host": HOSTS["mysql"], "port": 3306, "database": "openedx",
                  "username": "openedx", "ca_bundle": str(rds_ca), "tls": "required",
                  "secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:openedx/test/mysql/openedx"},
        "documentdb": {"service": "documentdb", "host": HOSTS["documentdb"], "port": 27017, "username": "docdbadmin",
                       "reader_host": HOSTS["documentdb"].replace("cluster-", "cluster-ro-"), "ca_bundle": str(rds_ca),
                       "secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:openedx/test/docdb/x"},
        "redis": {"service": "redis", "primary_host": HOSTS["redis"], "port": 6379, "ca_bundle": str(redis_ca),
                  "url": f"rediss://{HOSTS['redis']}:6379", "tls": "required",
                  "secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:openedx/test/redis/default"},
    }


def vars_file(tmp: Path, name: str, secrets: dict, **overrides) -> None:
    """The sample environment's variables for the role; its hand-off goes to <tmp>/<name>/tutor."""
    variables = {"data_services_environment": "test", "connections_dir": str(tmp / name),
                 "__connections_services": services(tmp / "rds-ca.pem", tmp / "redis-ca.pem"), **overrides}
    # Lookup expressions must reach the role untemplated, as the connections role's caller hands them over.
    text = yaml.safe_dump(variables) + "__connections_secrets:\n" + "".join(
        f"  {key}: !unsafe {json.dumps(value)}\n" for key, value in secrets.items())
    (tmp / f"{name}.yml").write_text(text)


def ansible(*command, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                       ANSIBLE_COLLECTIONS_PATH=f"{ROOT / '.collections'}", **(env or {}))
    return subprocess.run([str(part) for part in command], cwd=ROOT, env=environment, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300, check=False)


@pytest.fixture(scope="session")
def running_sandbox():
    """Overrides conftest.py's autouse fixture of that name, which starts the sandbox: this module needs none."""
    return None


@pytest.fixture(scope="module")
def handoffs(tmp_path_factory):
    """The role's tutor entry point run on the sample services: with lookups, and with vault values and a lookup."""
    tmp = tmp_path_factory.mktemp("handoff")
    (tmp / "rds-ca.pem").write_text(ca_pem("Sample RDS root"))
    (tmp / "redis-ca.pem").write_text(ca_pem("Sample Redis root"))
    vars_file(tmp, "lookups", LOOKUPS)
    vault = VaultLib([("default", VaultSecret(VAULT_PASSWORD.encode()))])
    secrets = {key: vault.encrypt(value).decode() for key, value in PASSWORDS.items()}
    vars_file(tmp, "applied", secrets | {"redis": TOKEN_LOOKUP}, connections_tutor_redis_ca_path=CA_PATH)
    result = ansible(BIN / "ansible-playbook", "tests/system/handoff_tutor.yml", "-e", f"handoff_dir={tmp}",
                     "-e", f"ansible_python_interpreter={sys.executable}")
    assert result.returncode == 0, result.stdout
    return tmp


@pytest.fixture(scope="module")
def tutor(handoffs):
    """The vault hand-off applied twice by its own config-save.yml to a fresh Tutor project."""
    tmp, handoff = handoffs, handoffs / "applied/tutor"
    (tmp / "vault-password").write_text(VAULT_PASSWORD)
    env = {"TUTOR_ROOT": str(tmp / "root"), "TUTOR_PLUGINS_ROOT": str(tmp / "plugins"),
           "HANDOFF_REDIS_TOKEN": REDIS_TOKEN}
    run = [BIN / "ansible-playbook", handoff / "config-save.yml", "--vault-password-file", tmp / "vault-password",
           "-e", f"tutor_bin={BIN / 'tutor'}", "-e", f"ansible_python_interpreter={sys.executable}"]
    first, second = ansible(*run, env=env), ansible(*run, env=env)
    return {"tmp": tmp, "handoff": handoff, "env": tmp / "root" / "env", "first": first, "second": second}


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def recap(output: str) -> dict[str, int]:
    line = next(line for line in output.splitlines() if line.startswith("localhost"))
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", line)}


def test_settings_hold_tutor_keys_and_lookups(handoffs):
    """settings.yml carries Tutor 22's keys for the three services and lookup expressions as they are, unresolved."""
    handoff, lookups = handoffs / "lookups/tutor", LOOKUPS
    text = read(handoff / "settings.yml")
    settings = yaml.safe_load(text)
    assert settings == {
        "RUN_MYSQL": False, "MYSQL_HOST": HOSTS["mysql"], "MYSQL_PORT": 3306, "MYSQL_ROOT_USERNAME": "admin",
        "MYSQL_ROOT_PASSWORD": lookups["mysql_master"], "OPENEDX_MYSQL_DATABASE": "openedx",
        "OPENEDX_MYSQL_USERNAME": "openedx", "OPENEDX_MYSQL_PASSWORD": lookups["mysql"],
        "RUN_MONGODB": False, "MONGODB_HOST": HOSTS["documentdb"], "MONGODB_PORT": 27017,
        "MONGODB_DATABASE": "openedx", "MONGODB_USERNAME": "docdbadmin", "MONGODB_PASSWORD": lookups["documentdb"],
        "MONGODB_AUTH_SOURCE": "admin", "MONGODB_AUTH_MECHANISM": "SCRAM-SHA-1", "MONGODB_REPLICA_SET": "rs0",
        "MONGODB_USE_SSL": True,
        "RUN_REDIS": False, "REDIS_HOST": HOSTS["redis"], "REDIS_PORT": 6379, "REDIS_USERNAME": "default",
        "REDIS_PASSWORD": lookups["redis"],
    }
    assert (handoff / "settings.yml").stat().st_mode & 0o777 == 0o600
    # Every key is one Tutor 22 has.
    templates = Path(tutor_package.__file__).parent / "templates/config"
    defaults, base = (yaml.safe_load(read(templates / name)) for name in ("defaults.yml", "base.yml"))
    assert set(settings) <= set(defaults) | set(base)
    values = json.loads(read(handoff / "plugin/openedx_data_services/values.json"))
    assert values["redis_ca_path"] == "" and values["ca_path"] == CA_PATH


def test_vault_values_are_inline_and_no_password_is_plain(tutor):
    """The hand-off carries the passwords as !vault blocks, never in the clear, in any of its files."""
    text = read(tutor["handoff"] / "settings.yml")
    assert text.count("!vault |") == 3
    assert yaml.safe_load(text.replace("!vault", ""))["REDIS_PASSWORD"] == TOKEN_LOOKUP
    for path in tutor["handoff"].rglob("*"):
        if path.is_file():
            content = read(path)
            for secret in [*PASSWORDS.values(), REDIS_TOKEN, urllib.parse.quote(REDIS_TOKEN)]:
                assert secret not in content, f"{secret} in {path}"


def test_config_save_applies_and_reports_changes_honestly(tutor):
    """config-save.yml resolves vault values and lookups into Tutor's config and enables the plugin; run again, it
    changes nothing and says so."""
    assert tutor["first"].returncode == 0, tutor["first"].stdout
    assert tutor["second"].returncode == 0, tutor["second"].stdout
    assert recap(tutor["first"].stdout)["changed"] >= 3
    assert recap(tutor["second"].stdout)["changed"] == 0, tutor["second"].stdout
    config = yaml.safe_load(read(tutor["tmp"] / "root/config.yml"))
    assert "openedx_data_services" in config["PLUGINS"]
    assert config["MYSQL_ROOT_PASSWORD"] == PASSWORDS["mysql_master"]
    assert config["OPENEDX_MYSQL_PASSWORD"] == PASSWORDS["mysql"]
    assert config["MONGODB_PASSWORD"] == PASSWORDS["documentdb"]
    assert config["REDIS_PASSWORD"] == REDIS_TOKEN
    assert config["RUN_MYSQL"] is False and config["RUN_MONGODB"] is False and config["RUN_REDIS"] is False
    assert config["MYSQL_HOST"] == HOSTS["mysql"] and config["MONGODB_PORT"] == 27017
    for output in (tutor["first"].stdout, tutor["second"].stdout):
        for secret in [*PASSWORDS.values(), REDIS_TOKEN]:
            assert secret not in output


def settings_of(tutor, service: str) -> dict:
    """Our settings in the rendered production.py, run on Tutor's own Mongo and cache settings before them."""
    text = read(tutor["env"] / f"apps/openedx/settings/{service}/production.py")
    compile(text, f"{service}/production.py", "exec")
    tutor_mongo = text[text.index("mongodb_parameters = {"):text.index("# Load module store settings")]
    tutor_caches = text[text.index("CACHES = {"):text.index("# The default Django contrib site")]
    ours = text[text.index("import ssl\nimport urllib.parse"):text.index(f"######## End of common {service.upper()}")]

    def update_module_store_settings(modulestore, doc_store_settings):
        for store in modulestore["default"]["OPTIONS"]["stores"]:
            store["DOC_STORE_CONFIG"].update(doc_store_settings)

    namespace = {"update_module_store_settings": update_module_store_settings,
                 "MODULESTORE": {"default": {"OPTIONS": {"stores": [{"DOC_STORE_CONFIG": {}}]}}},
                 "DATABASES": {"default": {"HOST": HOSTS["mysql"], "OPTIONS": {}}}}
    for block in (tutor_mongo, tutor_caches, ours):
        exec(block, namespace)
    return namespace | {"text": text}


@pytest.mark.parametrize("service, read_preference", [("lms", "secondaryPreferred"), ("cms", "primary")])
def test_documentdb_clients_take_tls_with_the_ca_and_no_retryable_writes(tutor, service, read_preference):
    """Modulestore, contentstore and forum: our host and port, TLS with the CA, retryWrites false, rs0."""
    settings = settings_of(tutor, service)
    store = settings["MODULESTORE"]["default"]["OPTIONS"]["stores"][0]["DOC_STORE_CONFIG"]
    for config in (settings["DOC_STORE_CONFIG"], settings["CONTENTSTORE"]["DOC_STORE_CONFIG"], store):
        assert config["host"] == HOSTS["documentdb"] and config["port"] == 27017
        assert config["tls"] is True and "ssl" not in config
        assert config["tlsCAFile"] == CA_PATH
        assert config["retryWrites"] is False
        assert config["replicaSet"] == "rs0"
        assert config["read_preference"] == read_preference
        assert config["authsource"] == "admin" and config["authMechanism"] == "SCRAM-SHA-1"
    forum = settings["FORUM_MONGODB_CLIENT_PARAMETERS"]
    assert forum == {"host": HOSTS["documentdb"], "port": 27017, "username": "docdbadmin",
                     "password": PASSWORDS["documentdb"], "authSource": "admin", "authMechanism": "SCRAM-SHA-1",
                     "replicaSet": "rs0", "tls": True, "tlsCAFile": CA_PATH, "retryWrites": False,
                     "readPreference": "primary"}
    # The forum plugin (tutor-forum) sets its client earlier in the file: ours is the one Django keeps.
    text = settings["text"]
    if "# Forum configuration" in text:
        assert text.index("# Forum configuration") < text.rindex("FORUM_MONGODB_CLIENT_PARAMETERS = {")


@pytest.mark.parametrize("service", ["lms", "cms"])
def test_redis_clients_take_tls_with_certificate_verification(tutor, service):
    """Caches, Celery broker and event bus: rediss:// to our host, the certificate verified against the CA."""
    settings = settings_of(tutor, service)
    token = urllib.parse.quote(REDIS_TOKEN)
    for name, cache in settings["CACHES"].items():
        assert cache["LOCATION"] == f"rediss://default:{token}@{HOSTS['redis']}:6379/1", name
        pool = redis.ConnectionPool.from_url(cache["LOCATION"], **cache["OPTIONS"]["CONNECTION_POOL_KWARGS"])
        assert pool.connection_class is redis.SSLConnection
        assert pool.connection_kwargs["password"] == REDIS_TOKEN
        assert pool.connection_kwargs["host"] == HOSTS["redis"]
        assert pool.connection_kwargs["ssl_ca_certs"] == CA_PATH
        assert pool.connection_kwargs["ssl_cert_reqs"] == "required"
    assert settings["BROKER_URL"] == f"rediss://default:{token}@{HOSTS['redis']}:6379/0"
    assert settings["BROKER_USE_SSL"] == {"ssl_cert_reqs": 2, "ssl_ca_certs": CA_PATH}
    event_bus = redis.ConnectionPool.from_url(settings["EVENT_BUS_REDIS_CONNECTION_URL"])
    assert event_bus.connection_class is redis.SSLConnection
    assert event_bus.connection_kwargs["ssl_ca_certs"] == CA_PATH
    assert event_bus.connection_kwargs["ssl_cert_reqs"] == "required"
    assert event_bus.connection_kwargs["password"] == REDIS_TOKEN
    assert "redis://@redis:6379/" not in settings["text"].split("import ssl\nimport urllib.parse")[1]


@pytest.mark.parametrize("service", ["lms", "cms"])
def test_mysql_client_verifies_the_certificate(tutor, service):
    settings = settings_of(tutor, service)
    assert settings["DATABASES"]["default"]["OPTIONS"]["ssl"] == {"ca": CA_PATH}
    auth = yaml.safe_load(read(tutor["env"] / f"apps/openedx/config/{service}.env.yml"))
    database = auth["DATABASES"]["default"]
    assert (database["HOST"], database["PORT"], database["NAME"], database["USER"]) == (
        HOSTS["mysql"], 3306, "openedx", "openedx")


def test_ca_bundle_reaches_the_containers_with_tutor_local_and_k8s(tutor):
    """The bundle (both CAs, each once) is rendered as it is into apps/openedx/config, which compose mounts at
    /openedx/config and kustomize makes the openedx-config ConfigMap of, mounted there in every LMS/CMS pod."""
    env = tutor["env"]
    bundle = read(env / "apps/openedx/config/data-services-ca.pem")
    assert bundle.count("BEGIN CERTIFICATE") == 2
    assert bundle == read(tutor["handoff"] / "plugin/openedx_data_services/templates/apps/openedx/config/"
                          "data-services-ca.pem")
    compose = {}
    for name in ("docker-compose.yml", "docker-compose.prod.yml", "docker-compose.jobs.yml"):
        compose[name] = yaml.safe_load(read(env / "local" / name))["services"]
    for name, service in [("docker-compose.yml", "lms"), ("docker-compose.yml", "cms"),
                          ("docker-compose.prod.yml", "lms-worker"), ("docker-compose.prod.yml", "cms-worker"),
                          ("docker-compose.jobs.yml", "lms-job"), ("docker-compose.jobs.yml", "cms-job")]:
        assert "../apps/openedx/config:/openedx/config:roz" in compose[name][service]["volumes"], (name, service)
    kustomization = yaml.safe_load(read(env / "kustomization.yml"))
    config_map = next(item for item in kustomization["configMapGenerator"] if item["name"] == "openedx-config")
    assert "apps/openedx/config/data-services-ca.pem" in config_map["files"]
    workloads = [workload for name in ("deployments.yml", "jobs.yml")
                 for workload in yaml.safe_load_all(read(env / "k8s" / name))]
    mounted = {}
    for workload in filter(None, workloads):
        pod = workload["spec"]["template"]["spec"]
        volumes = {volume["name"]: volume.get("configMap", {}).get("name") for volume in pod.get("volumes", [])}
        for container in pod["containers"]:
            for mount in container.get("volumeMounts", []):
                if mount["mountPath"] == "/openedx/config":
                    mounted[workload["metadata"]["name"]] = volumes[mount["name"]]
    assert {name: mounted.get(name) for name in ["lms", "cms", "lms-worker", "cms-worker", "lms-job", "cms-job"]} == {
        name: "openedx-config" for name in ["lms", "cms", "lms-worker", "cms-worker", "lms-job", "cms-job"]}
