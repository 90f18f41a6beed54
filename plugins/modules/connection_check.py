#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: connection_check
version_added: 0.1.0
short_description: Prove that a data service accepts the platform's connection, step by step
description:
  - Connects to one data service the way the Open edX platform does, with the settings handed over in
    C(connections.yml) and the credentials kept in AWS Secrets Manager, and reports each step.
  - "The steps run in order and stop at the first that fails: C(secret) (the credentials are read from
    O(secret_arn)), C(DNS) (the host resolves), C(TCP) (the port accepts a connection), C(TLS) (the handshake,
    with the certificate chain verified against O(ca_bundle) and the host name checked), C(authentication) with
    the stored credentials, and one harmless C(round trip)."
  - "The round trip is C(SELECT 1) for V(mysql), C(PING) for V(redis) (with the AUTH token, over TLS),
    C(GET /_cluster/health) as the application user with basic authentication for V(opensearch) (a C(red) cluster
    fails it), and a C(ping) command through pymongo with O(connection_string) for V(documentdb)."
  - DNS, TCP and TLS are probed with Python's own socket and ssl modules for every engine, so a failure of the
    same kind reads the same whatever the service. MySQL negotiates TLS inside its own protocol, so its TLS step is
    PyMySQL's on the socket the TCP step opened, and MySQL is reached over a single connection (MySQL blocks a host
    after too many connections that end before authenticating).
  - A service that can't be reached is not a task failure. The module returns RV(ok) and RV(reason), and the
    caller decides; C(playbooks/connection-check.yml) prints a table and fails at the end.
  - The module fails the task only for invalid options or when it can't run at all (a missing Python library, no
    AWS region).
author:
  - Open edX data services maintainers (@openedx)
requirements:
  - PyMySQL for V(mysql), redis for V(redis), pymongo 4.6 or later for V(documentdb).
options:
  service:
    description:
      - The kind of service to check.
    type: str
    required: true
    choices: [mysql, documentdb, opensearch, redis]
  host:
    description:
      - Host name or address of the service. Required for V(mysql) and V(redis) (the primary endpoint).
      - For V(documentdb), defaults to the first host of O(connection_string).
      - Not used for V(opensearch), which takes O(endpoint).
    type: str
  port:
    description:
      - Port of the service (1-65535). Required for V(mysql) and V(redis).
      - For V(documentdb), defaults to the port of O(connection_string).
    type: int
  endpoint:
    description:
      - For V(opensearch), the domain endpoint, an C(https://) URL such as
        C(https://vpc-x.us-east-1.es.amazonaws.com).
    type: str
  database:
    description:
      - For V(mysql), the database to log in to. Unset logs in without one.
    type: str
  connection_string:
    description:
      - For V(documentdb), the C(mongodb://) connection string of the hand-off, without a password.
      - The credentials read from O(secret_arn) are given to the client beside it; a user name in it is replaced.
      - When it has no C(tlsCAFile) option, O(ca_bundle) is given as one.
    type: str
  ca_bundle:
    description:
      - CA bundle (PEM) that verifies the service's certificate, such as the AWS RDS global bundle.
      - Unset verifies against the system's CA certificates.
    type: path
  username:
    description:
      - User to log in as. Unset takes the C(username) stored in the secret.
      - Not used for V(redis), whose secret holds an AUTH token only.
    type: str
  secret_arn:
    description:
      - ARN (or name) of the Secrets Manager secret holding the credentials, in the shape C(secretsmanager_credential)
        stores them; C(password) (or C(auth_token) for V(redis)) is read from it.
    type: str
    required: true
  timeout:
    description:
      - Seconds each network step may take.
    type: float
    default: 10
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description:
      - The module only reads (the secret, and the service over its own protocol), so check mode runs the same
        steps.
  diff_mode:
    support: none
  platform:
    platforms: aws
notes:
  - "IAM actions: C(secretsmanager:GetSecretValue) on the secret, and C(kms:Decrypt) on its key."
  - The password or token never appears in the result. It is masked in anything the module returns, and the
    option holding it does not exist; the module reads it itself.
  - Run it from where the platform runs (the same VPC and security group) for the result to speak for the
    platform.
seealso:
  - module: openedx.data_services.secretsmanager_credential
"""

EXAMPLES = r"""
- name: Check the MySQL database of the platform
  openedx.data_services.connection_check:
    service: mysql
    host: openedx-prod-mysql.abcdefghijkl.us-east-1.rds.amazonaws.com
    port: 3306
    database: openedx
    username: openedx
    ca_bundle: /etc/ssl/rds-global-bundle.pem
    secret_arn: arn:aws:secretsmanager:us-east-1:123456789012:secret:openedx/prod/mysql/openedx-AbCdEf
  register: mysql_check

- name: Check the Redis replication group
  openedx.data_services.connection_check:
    service: redis
    host: master.openedx-prod-redis.abcdef.use1.cache.amazonaws.com
    port: 6379
    ca_bundle: /etc/ssl/rds-global-bundle.pem
    secret_arn: arn:aws:secretsmanager:us-east-1:123456789012:secret:openedx/prod/redis/default-AbCdEf
  register: redis_check

- name: Check the OpenSearch domain as the application user
  openedx.data_services.connection_check:
    service: opensearch
    endpoint: https://vpc-openedx-prod-search-abcdefghij.us-east-1.es.amazonaws.com
    username: openedx
    secret_arn: arn:aws:secretsmanager:us-east-1:123456789012:secret:openedx/prod/opensearch/openedx-AbCdEf
  register: opensearch_check

- name: Check the DocumentDB cluster with the hand-off's connection string
  openedx.data_services.connection_check:
    service: documentdb
    connection_string: "{{ connections.services.documentdb.connection_string }}"
    ca_bundle: "{{ connections.services.documentdb.ca_bundle }}"
    secret_arn: "{{ connections.services.documentdb.secret_arn }}"
  register: documentdb_check

- name: Fail unless the platform can reach Redis
  ansible.builtin.assert:
    that: redis_check.ok
    fail_msg: "{{ redis_check.reason }}"
"""

RETURN = r"""
service:
  description: The service checked.
  returned: always
  type: str
  sample: mysql
ok:
  description: Whether every step passed.
  returned: always
  type: bool
  sample: false
reason:
  description:
    - The first failed step as C(<step>) and what happened, so that its kind shows; empty when every step passed.
  returned: always
  type: str
  sample: "TLS: certificate verify failed: unable to get local issuer certificate (CA bundle /etc/ssl/ca.pem)"
checks:
  description: The steps run, in order, up to the first that failed.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The step, one of C(secret), C(DNS), C(TCP), C(TLS), C(authentication) or C(round trip).
      type: str
      sample: TLS
    ok:
      description: Whether the step passed.
      type: bool
      sample: true
    detail:
      description: What the step found, or why it failed.
      type: str
      sample: TLSv1.3, certificate of 127.0.0.1 verified against /etc/ssl/rds-global-bundle.pem
"""

from typing import Any

from ansible.module_utils.basic import missing_required_lib
from ansible_collections.openedx.data_services.plugins.module_utils import connectivity, secretsmanager
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule


def option_problems(params: dict[str, Any]) -> list[str]:
    """Every invalid option, found before any connection or AWS call."""
    service = params["service"]
    problems = []
    if service in ("mysql", "redis"):
        problems += [f"{option} is required for service={service}" for option in ("host", "port")
                     if not params[option]]
    if service == "opensearch":
        try:
            connectivity.opensearch_target(params["endpoint"] or "", None, 1)
        except ValueError as e:
            problems.append(f"{e} (service=opensearch)")
    if service == "documentdb":
        try:
            connectivity.connection_string_address(params["connection_string"] or "")
        except ValueError as e:
            problems.append(f"{e} (service=documentdb)")
    if params["port"] is not None and not 1 <= params["port"] <= 65535:
        problems.append(f"port must be 1-65535, not {params['port']}")
    if not params["secret_arn"]:
        problems.append("secret_arn must name the secret holding the credentials")
    if not 0 < params["timeout"] <= 300:
        problems.append(f"timeout must be more than 0 and at most 300 seconds, not {params['timeout']:g}")
    return problems


def target_of(params: dict[str, Any]) -> connectivity.Target:
    service, ca_bundle, timeout = params["service"], params["ca_bundle"] or None, params["timeout"]
    if service == "opensearch":
        return connectivity.opensearch_target(params["endpoint"], ca_bundle, timeout)
    if service == "documentdb" and not (params["host"] and params["port"]):
        host, port = connectivity.connection_string_address(params["connection_string"])
        return connectivity.Target(params["host"] or host, params["port"] or port, ca_bundle, timeout)
    return connectivity.Target(params["host"], params["port"], ca_bundle, timeout)


def read_credentials(module: DataServicesAWSModule) -> tuple[connectivity.Check, connectivity.Credentials | None]:
    """The secret step: the credentials, read and parsed, or why they can't be."""
    params = module.params
    arn = params["secret_arn"]
    try:
        secret = secretsmanager.get_secret_value(module.client("secretsmanager"), arn)
    except secretsmanager.AnsibleSecretsManagerError as e:
        return connectivity.Check("secret", False, f"{arn} can't be read ({e.exception or e.message})"), None
    if secret is None:
        return connectivity.Check("secret", False, f"{arn} does not exist"), None
    try:
        credentials = connectivity.credentials_from_secret(params["service"], secret.get("SecretString"),
                                                           params["username"])
    except connectivity.SecretProblem as e:
        return connectivity.Check("secret", False, f"{arn} can't be used: {e}"), None
    # Masked in anything the module returns, whatever a server or a library puts in an error message.
    module.no_log_values.add(credentials.password)
    if params["service"] == "redis":
        detail = f"{secret.get('Name', arn)} holds an AUTH token"
    else:
        detail = f"{secret.get('Name', arn)} holds the password of {credentials.username!r}"
    return connectivity.Check("secret", True, detail), credentials


def run_checks(params: dict[str, Any], credentials: connectivity.Credentials) -> list[connectivity.Check]:
    service, target = params["service"], target_of(params)
    if service == "mysql":
        return connectivity.check_mysql(target, credentials, params["database"])
    if service == "redis":
        return connectivity.check_redis(target, credentials)
    if service == "opensearch":
        return connectivity.check_opensearch(target, credentials)
    return connectivity.check_documentdb(target, credentials, params["connection_string"])


def main() -> None:
    argument_spec = dict(
        service=dict(type="str", required=True, choices=list(connectivity.SERVICES)),
        host=dict(type="str"),
        port=dict(type="int"),
        endpoint=dict(type="str"),
        database=dict(type="str"),
        connection_string=dict(type="str"),
        ca_bundle=dict(type="path"),
        username=dict(type="str"),
        secret_arn=dict(type="str", required=True, no_log=False),
        timeout=dict(type="float", default=10),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    problems = option_problems(params)
    if problems:
        module.fail_json(msg="; ".join(problems))
    library = connectivity.missing_library(params["service"])
    if library:
        module.fail_json(msg=missing_required_lib(library))

    secret_check, credentials = read_credentials(module)
    checks = [secret_check]
    if credentials is not None:
        checks += run_checks(params, credentials)
    ok, reason = connectivity.outcome(checks)
    module.exit_json(changed=False, service=params["service"], ok=ok, reason=reason,
                     checks=[check.as_dict() for check in checks])


if __name__ == "__main__":
    main()
