"""rotate.yml on the shared environment (conftest.shared_environment): a refusal and --check without any mutating
call, then a rotation of every service, the Redis window closed, and a second MySQL rotation. Each step logs in
with the credentials of the secret's AWSCURRENT and AWSPREVIOUS versions.

The environment is left consistent for the other tests of the shared environment: MySQL is rotated twice, so the
secret names the configured user again (with a new password) as the hand-off files written before expect; every
other credential is read from the secrets when used."""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.request

import pymongo
import pymysql
import redis
import yaml
from conftest import CA_BUNDLE, ROOT, aws, ledger, recap, run_playbook, sandbox, secret_values

PLAYBOOK = "playbooks/rotate.yml"
HOSTS = ("mysql", "documentdb", "opensearch", "redis")
USERS = (("mysql", "edxapp001"), ("redis", "default"), ("documentdb", "docdbadmin"), ("opensearch", "openedx"))


def _run(shared_environment, *args: str, **extra) -> tuple[str, dict, int]:
    sandbox("reset")
    result = run_playbook(*args, playbook=PLAYBOOK, extra_vars={**shared_environment.extra_vars, **extra},
                          timeout=600)
    return result.stdout, ledger(), result.returncode


def _secret(service: str, user: str, stage: str = "AWSCURRENT") -> dict:
    response = aws("secretsmanager").get_secret_value(SecretId=f"openedx/shared/{service}/{user}", VersionStage=stage)
    return json.loads(response["SecretString"])


def _stages(service: str, user: str) -> dict[str, list[str]]:
    return aws("secretsmanager").describe_secret(SecretId=f"openedx/shared/{service}/{user}")["VersionIdsToStages"]


def _mysql(credential: dict) -> bool:
    try:
        connection = pymysql.connect(host=credential["host"], port=int(credential["port"]),
                                     user=credential["username"], password=credential["password"],
                                     ssl={"ca": CA_BUNDLE}, connect_timeout=10)
    except pymysql.err.OperationalError:
        return False
    with connection, connection.cursor() as cursor:
        cursor.execute("SHOW STATUS LIKE 'Ssl_cipher'")
        assert cursor.fetchone()[1], "the MySQL session is not encrypted"
    return True


def _redis(token: str) -> bool:
    connection = _connections()["redis"]
    client = redis.Redis(host=connection["primary_host"], port=int(connection["port"]), password=token, ssl=True,
                         ssl_ca_certs=CA_BUNDLE, socket_timeout=10)
    try:
        return client.ping()
    except redis.exceptions.AuthenticationError:
        return False
    finally:
        client.close()


def _opensearch(credential: dict) -> bool:
    request = urllib.request.Request(f"https://{credential['host']}:{credential['port']}/")
    auth = base64.b64encode(f"{credential['username']}:{credential['password']}".encode()).decode()
    request.add_header("Authorization", f"Basic {auth}")
    try:
        with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=CA_BUNDLE), timeout=10):
            return True
    except urllib.error.HTTPError as error:
        assert error.code in (401, 403), error
        return False


def _documentdb(credential: dict) -> bool:
    client = pymongo.MongoClient(host=credential["host"], port=int(credential["port"]),
                                 username=credential["username"], password=credential["password"], tls=True,
                                 tlsCAFile=CA_BUNDLE, directConnection=True, serverSelectionTimeoutMS=10000)
    try:
        client.admin.command("ping")
        return True
    except pymongo.errors.OperationFailure:
        return False
    finally:
        client.close()


def _connections() -> dict:
    return yaml.safe_load((ROOT / "artifacts" / "shared" / "connections.yml").read_text())["services"]


def test_a_prod_environment_needs_its_name_as_confirmation(shared_environment):
    output, calls, returncode = _run(shared_environment)
    assert returncode != 0, output[-2000:]
    assert "-e data_services_confirm=shared" in output, output[-3000:]
    assert calls["totals"]["mutating"] == 0 and calls["totals"]["read"] == 0, calls


def test_check_mode_rotates_nothing(shared_environment):
    before = {service: _stages(service, user) for service, user in USERS}
    output, calls, returncode = _run(shared_environment, "--check", data_services_confirm="shared")
    assert returncode == 0, output[-3000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    # The summary's lines may wrap in the output.
    assert " ".join(output.split()).count("would rotate") >= 6, output[-3000:]
    assert before == {service: _stages(service, user) for service, user in USERS}


def test_rotation_keeps_the_old_credentials_for_the_window_then_closes_it(shared_environment):
    original = {"mysql": _secret("mysql", "edxapp001"), "redis": _secret("redis", "default"),
                "documentdb": _secret("documentdb", "docdbadmin"), "opensearch": _secret("opensearch", "openedx")}
    assert original["mysql"]["username"] == "edxapp001"

    output, calls, returncode = _run(shared_environment, data_services_confirm="shared")
    assert returncode == 0, output[-4000:]
    for host in HOSTS:
        assert recap(output, host)["failed"] == 0
    mutating = calls["mutating"]
    assert mutating.get("elasticache:ModifyReplicationGroup") == 1, mutating
    assert mutating.get("rds:ModifyDBCluster") == 1, mutating
    assert not any(call.startswith(("rds:Delete", "rds:Create", "elasticache:Delete")) for call in mutating), mutating
    # No password or token, new or old, in the output.
    old = [value[key] for value in original.values() for key in ("password", "auth_token") if key in value]
    assert not [value for value in secret_values("shared") + old if value in output]

    # MySQL: the twin is current with a new password, the user that was current keeps working (AWSPREVIOUS).
    mysql = _secret("mysql", "edxapp001")
    assert mysql["username"] == "edxapp001_clone" and mysql["password"] != original["mysql"]["password"]
    assert _secret("mysql", "edxapp001", "AWSPREVIOUS") == original["mysql"]
    assert sorted(map(tuple, _stages("mysql", "edxapp001").values())) == [("AWSCURRENT",), ("AWSPREVIOUS",)]
    assert _mysql(mysql) and _mysql(original["mysql"])
    # Redis: ROTATE, both tokens valid.
    token = _secret("redis", "default")["auth_token"]
    assert token != original["redis"]["auth_token"]
    assert _secret("redis", "default", "AWSPREVIOUS") == original["redis"]
    assert _redis(token) and _redis(original["redis"]["auth_token"])
    # DocumentDB master and OpenSearch application user: one password each, the old one refused at once.
    for service, login in (("documentdb", _documentdb), ("opensearch", _opensearch)):
        user = original[service]["username"]
        new = _secret(service, user)
        assert new["password"] != original[service]["password"]
        assert _secret(service, user, "AWSPREVIOUS") == original[service]
        assert login(new), service
        assert not login(original[service]), service

    # Closing the Redis window: SET, only the new token is valid.
    output, calls, returncode = _run(shared_environment, data_services_confirm="shared",
                                     data_services_rotate_finish=True)
    assert returncode == 0, output[-4000:]
    assert calls["mutating"] == {"elasticache:ModifyReplicationGroup": 1}, calls["mutating"]
    assert _redis(token) and not _redis(original["redis"]["auth_token"])

    # The next MySQL rotation closes its window: the original user gets a new password, its old one stops working,
    # the twin keeps working until the rotation after.
    output, calls, returncode = _run(shared_environment, "--limit", "mysql", data_services_confirm="shared")
    assert returncode == 0, output[-4000:]
    again = _secret("mysql", "edxapp001")
    assert again["username"] == "edxapp001"
    assert again["password"] not in (original["mysql"]["password"], mysql["password"])
    assert _secret("mysql", "edxapp001", "AWSPREVIOUS") == mysql
    assert _mysql(again) and _mysql(mysql) and not _mysql(original["mysql"])
