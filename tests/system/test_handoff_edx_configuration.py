"""The edxapp vars file: edx/configuration's variable names and shapes, passwords never in plain text, and a consumer
playbook that builds edxapp's structures from it (tests/system/fixtures/edxapp_consumer.yml) logs in with each.

Both secret modes: the shared environment's file (lookups, resolved by the consumer against the sandbox's Secrets
Manager) and the same hand-off written again in vault mode (decrypted by the consumer with --vault-id).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ANSIBLE_PLAYBOOK, ROOT, run_playbook, secret_values

CONSUMER = ROOT / "tests" / "system" / "fixtures" / "edxapp_consumer.yml"
HANDOFF_ONLY = "tests/system/fixtures/handoff_only.yml"
PASSWORD_VARIABLES = ["EDXAPP_MYSQL_PASSWORD", "COMMON_MYSQL_MIGRATE_PASS", "COMMON_MYSQL_READ_ONLY_PASS",
                      "EDXAPP_MONGO_PASSWORD", "EDXAPP_CELERY_PASSWORD", "DATA_SERVICES_SEARCH_PASSWORD"]


class _Loader(yaml.SafeLoader):
    """Reads !vault values as the tagged ciphertext."""


_Loader.add_constructor("!vault", lambda loader, node: {"!vault": loader.construct_scalar(node)})


def load(path: Path) -> dict:
    return yaml.load(path.read_text(), Loader=_Loader)


def consume(vars_file: Path, results: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict[str, dict]]:
    """Run the consumer playbook on the vars file (lookups read the sandbox with the credentials of the environment);
    return its run and what each connection found, by check name."""
    environment = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                       AWS_ACCESS_KEY_ID="sandbox-access-key", AWS_SECRET_ACCESS_KEY="sandbox-secret-key",
                       EDXAPP_CHECK_RESULTS=str(results))
    command = [ANSIBLE_PLAYBOOK, "-i", "localhost,", str(CONSUMER), "-e", f"@{vars_file}", *args]
    run = subprocess.run(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=300, check=False)
    found = json.loads(results.read_text()) if results.exists() else []
    return run, {entry["check"]: entry for entry in found}


@pytest.fixture(scope="module")
def vars_file(shared_environment) -> Path:
    path = ROOT / "artifacts" / shared_environment.name / "edx-configuration" / "data-services.yml"
    assert path.is_file(), shared_environment.created.stdout[-3000:]
    return path


def test_vars_carry_edx_configuration_names_and_tls(vars_file):
    values = load(vars_file)
    mysql_options = values["EDXAPP_MYSQL_OPTIONS"]
    assert values["EDXAPP_MYSQL_DB_NAME"] == "edxapp" and values["EDXAPP_MYSQL_CSMH_DB_NAME"] == "edxapp_csmh"
    # The MySQL user names are read from the secrets like the passwords: rotate.yml alternates them with their twins.
    for name, user in (("EDXAPP_MYSQL_USER", "edxapp001"), ("COMMON_MYSQL_MIGRATE_USER", "migrate"),
                       ("COMMON_MYSQL_READ_ONLY_USER", "read_only")):
        assert values[name].startswith("{{ lookup('amazon.aws.secretsmanager_secret', 'arn:aws:secretsmanager:"), name
        assert f"/mysql/{user}-" in values[name] and ".username', nested=true" in values[name], name
    assert values["EDXAPP_MYSQL_REPLICA_USER"] == values["EDXAPP_MYSQL_CSMH_USER"] == "{{ EDXAPP_MYSQL_USER }}"
    # edx/configuration's EDXAPP_MYSQL_PORT is a string; TLS and the isolation level travel in the OPTIONS dicts.
    assert isinstance(values["EDXAPP_MYSQL_PORT"], str)
    assert mysql_options["isolation_level"] == "read committed" and mysql_options["ssl_mode"] == "VERIFY_IDENTITY"
    assert Path(mysql_options["ssl"]["ca"]).is_file()
    assert values["EDXAPP_MYSQL_REPLICA_OPTIONS"] == mysql_options == values["EDXAPP_MYSQL_CSMH_OPTIONS"]
    for name in ("EDXAPP_LMS_DRAFT_DOC_STORE_CONFIG", "EDXAPP_LMS_SPLIT_DOC_STORE_CONFIG",
                 "EDXAPP_CMS_DOC_STORE_CONFIG"):
        store = values[name]
        assert store["replicaSet"] == "rs0" and store["retryWrites"] is False and store["ssl"] is True, name
        assert store["host"] == values["EDXAPP_MONGO_HOSTS"] and Path(store["tlsCAFile"]).is_file(), name
    assert values["EDXAPP_LMS_SPLIT_DOC_STORE_CONFIG"]["read_preference"] == "SECONDARY_PREFERRED"
    assert values["EDXAPP_CMS_DOC_STORE_CONFIG"]["read_preference"] == "PRIMARY"
    for extra in ("EDXAPP_LMS_ENV_EXTRA", "EDXAPP_CMS_ENV_EXTRA"):
        assert values[extra]["CONTENTSTORE"]["OPTIONS"]["retryWrites"] is False
        assert {cache["LOCATION"].split("://")[0] for cache in values[extra]["CACHES"].values()} == {"rediss"}
    assert values["EDXAPP_CELERY_BROKER_TRANSPORT"] == "rediss"
    assert values["EDXAPP_CELERY_BROKER_USE_SSL"]["ssl_cert_reqs"] == "required"
    assert values["EDXAPP_SEARCH_USE_SSL"] is True and values["EDXAPP_ELASTIC_SEARCH_CONFIG"][0]["use_ssl"] is True


def test_lookup_mode_writes_lookups_only(vars_file, shared_environment):
    values = load(vars_file)
    text = vars_file.read_text()
    for name in PASSWORD_VARIABLES:
        assert values[name].startswith("{{ lookup('amazon.aws.secretsmanager_secret', 'arn:aws:secretsmanager:"), name
    assert not [value for value in secret_values(shared_environment.name) if value in text]


def test_consumer_logs_in_with_the_lookups(vars_file, tmp_path):
    result, found = consume(vars_file, tmp_path / "results.json")
    assert result.returncode == 0, result.stdout[-4000:]
    assert found["DATABASES.default"]["user"] == "edxapp001@%" and found["DATABASES.default"]["database"] == "edxapp"
    assert found["DATABASES.student_module_history"]["database"] == "edxapp_csmh"
    assert found["DATABASES.read_replica"]["user"] == "edxapp001@%"
    assert found["DATABASES.migration"]["user"] == "migrate@%"
    assert found["DATABASES.read_only"]["user"] == "read_only@%"
    assert {entry["tls"] for name, entry in found.items() if name.startswith("DATABASES.")} <= {"TLSv1.2", "TLSv1.3"}
    assert found["BROKER_URL"]["ping"] is True and found["BROKER_URL"]["scheme"] == "rediss"
    assert found["CACHES.default"]["ping"] is True and found["CACHES.default"]["db"] == 1
    assert found["ELASTIC_SEARCH_CONFIG[0]"]["status"] == 200
    for name in ("DOC_STORE_CONFIG.lms_split", "DOC_STORE_CONFIG.cms", "CONTENTSTORE.lms", "CONTENTSTORE.cms"):
        assert found[name]["ping"] == 1 and found[name]["tls"] is True, name
        assert found[name]["retryWrites"] is False and found[name]["replicaSet"] == "rs0", name
    assert len(found) == 19 and all(entry["ok"] for entry in found.values()), found


def test_vault_mode_writes_vault_values_the_consumer_decrypts(shared_environment, tmp_path):
    password_file = tmp_path / "vault-password"
    password_file.write_text("correct horse battery staple\n")
    handoff = tmp_path / "artifacts"
    handoff.mkdir()
    shutil.copy(ROOT / "artifacts" / shared_environment.name / "connections.yml", handoff / "connections.yml")
    extra_vars = {**shared_environment.extra_vars, "connections_dir": str(handoff),
                  "connections_k8s": False, "data_services_handoff_secrets": "vault",
                  "data_services_handoff_vault_id": "shared",
                  "data_services_handoff_vault_password_file": str(password_file)}
    written = run_playbook("-vvvv", playbook=HANDOFF_ONLY, extra_vars=extra_vars)
    assert written.returncode == 0, written.stdout[-3000:]
    vars_file = handoff / "edx-configuration" / "data-services.yml"
    values, text = load(vars_file), vars_file.read_text()
    for name in PASSWORD_VARIABLES:
        assert values[name]["!vault"].startswith("$ANSIBLE_VAULT;1.2;AES256;shared"), name
    assert "lookup(" not in text
    # The Tutor settings carry the same vault values.
    tutor = load(handoff / "tutor" / "settings.yml")
    for name in ("MYSQL_ROOT_PASSWORD", "OPENEDX_MYSQL_PASSWORD", "MONGODB_PASSWORD", "REDIS_PASSWORD"):
        assert tutor[name]["!vault"].startswith("$ANSIBLE_VAULT;1.2;AES256;shared"), name
    # The passwords were read to be encrypted: neither the files nor the -vvvv output shows one.
    secrets = secret_values(shared_environment.name)
    written_text = text + (handoff / "tutor" / "settings.yml").read_text()
    assert secrets and not [value for value in secrets if value in written_text or value in written.stdout]

    result, found = consume(vars_file, tmp_path / "results.json", "--vault-id", f"shared@{password_file}",
                            "-e", "EDXAPP_CHECK_ONLY=mysql,redis,mongo")
    assert result.returncode == 0, result.stdout[-4000:]
    assert found["DATABASES.default"]["user"] == "edxapp001@%" and found["BROKER_URL"]["ping"] is True
    assert found["DOC_STORE_CONFIG.lms_split"]["ping"] == 1 and all(entry["ok"] for entry in found.values())

    # Vault salts each encryption: a run that changes nothing keeps the ciphertext, and the file.
    again = run_playbook(playbook=HANDOFF_ONLY, extra_vars=extra_vars)
    assert again.returncode == 0 and vars_file.read_text() == text, again.stdout[-3000:]
