from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible.parsing.vault import VaultLib, VaultSecret
from ansible_collections.openedx.data_services.plugins.filter.connection_table import connection_table
from ansible_collections.openedx.data_services.plugins.filter.handoff import handoff_secrets, handoff_yaml
from ansible_collections.openedx.data_services.plugins.filter.ingress_rules import ingress_rules, kept_ingress_rules
from ansible_collections.openedx.data_services.plugins.filter.tags import tag_errors
from ansible_collections.openedx.data_services.plugins.filter.windows import window_minutes, windows_overlap
from ansible_collections.openedx.data_services.plugins.test.network import cidr_within, ipv4_network
from ansible_collections.openedx.data_services.plugins.test.password import strong_password


@pytest.mark.parametrize("value, expected", [
    ("10.42.0.0/16", True),
    ("0.0.0.0/0", True),
    ("10.42.1.5/24", False),  # host bits set
    ("10.42.1.5", False),  # an address, not a network
    ("10.42.0.0/33", False),
    ("fd00::/8", False),
    ("", False),
    (None, False),
])
def test_ipv4_network(value, expected):
    assert ipv4_network(value) is expected


@pytest.mark.parametrize("value, networks, expected", [
    ("10.42.8.0/24", ["10.42.0.0/16"], True),
    ("10.42.0.0/16", ["10.42.0.0/16"], True),
    ("10.0.0.0/8", ["10.42.0.0/16"], False),
    ("0.0.0.0/0", ["10.42.0.0/16"], False),
    ("10.43.0.0/24", ["10.42.0.0/16", "10.43.0.0/16"], True),
    ("10.42.8.0/24", [], False),
    ("not-a-cidr", ["10.42.0.0/16"], False),
])
def test_cidr_within(value, networks, expected):
    assert cidr_within(value, networks) is expected


@pytest.mark.parametrize("value, expected", [
    ("Abcdefgh12345678", True),
    ("Abcdefgh1234567", False),  # 15 characters
    ("abcdefgh12345678", False),  # no upper case
    ("ABCDEFGH12345678", False),  # no lower case
    ("Abcdefghijklmnop", False),  # no digit
    ("Abcdefgh/2345678", False),
    ("Abcdefgh@2345678", False),
    ('Abcdefgh"2345678', False),
    ("Abcdefgh 2345678", False),
    ("Abcdéfgh12345678", False),
    ("Aa1" * 13 + "xy", True),  # 41 characters
    ("Aa1" * 14, False),  # 42 characters
    (12345678901234567, False),
])
def test_strong_password(value, expected):
    assert strong_password(value) is expected


def test_strong_password_longer_limit_for_tokens():
    assert strong_password("Aa1" * 20, max_length=128)
    assert not strong_password("Aa1" * 20)


def test_ingress_rules_admits_each_source_on_each_port_only():
    rules = ingress_rules([3306, "6379"], group_ids=["sg-1"], cidrs=["10.42.9.0/24"], description="nodes")

    # One rule per port: amazon.aws.ec2_security_group shows a rule of several ports with its last port only in
    # the diff of a --check --diff run.
    assert rules == [
        {"proto": "tcp", "ports": [3306], "group_id": "sg-1", "rule_desc": "nodes"},
        {"proto": "tcp", "ports": [3306], "cidr_ip": "10.42.9.0/24", "rule_desc": "nodes"},
        {"proto": "tcp", "ports": [6379], "group_id": "sg-1", "rule_desc": "nodes"},
        {"proto": "tcp", "ports": [6379], "cidr_ip": "10.42.9.0/24", "rule_desc": "nodes"},
    ]
    assert ingress_rules([443]) == []


def test_kept_ingress_rules_keep_marked_group_sources_on_the_given_ports_only():
    mark = "Open edX analytics: EMR imports"
    described = [
        {"ip_protocol": "tcp", "from_port": 3306, "to_port": 3306,
         "user_id_group_pairs": [{"group_id": "sg-emr", "description": mark},
                                 {"group_id": "sg-platform", "description": "Open edX platform nodes"}],
         "ip_ranges": [{"cidr_ip": "0.0.0.0/0", "description": mark}]},
        # The mark on another port, or on a port range, is not enough.
        {"ip_protocol": "tcp", "from_port": 22, "to_port": 22,
         "user_id_group_pairs": [{"group_id": "sg-x", "description": mark}]},
        {"ip_protocol": "tcp", "from_port": 0, "to_port": 65535,
         "user_id_group_pairs": [{"group_id": "sg-y", "description": mark}]},
        {"ip_protocol": "-1", "user_id_group_pairs": [{"group_id": "sg-z", "description": mark}]},
    ]
    assert kept_ingress_rules(described, mark, [3306]) == [
        {"proto": "tcp", "ports": [3306], "group_id": "sg-emr", "rule_desc": mark}]
    assert kept_ingress_rules([], mark, [3306]) == []


@pytest.mark.parametrize("window, minutes", [
    ("03:00-04:00", 60),
    ("23:30-00:30", 60),  # across midnight
    ("03:00-03:30", 30),
    ("mon:04:00-mon:05:00", 60),
    ("sun:23:30-mon:00:30", 60),  # across the week's end
    ("Tue:10:00-wed:10:00", 1440),
])
def test_window_minutes(window, minutes):
    assert window_minutes(window) == minutes


@pytest.mark.parametrize("daily, weekly, expected", [
    ("03:00-04:00", "mon:04:00-mon:05:00", False),  # the defaults touch, which AWS accepts
    ("04:30-05:30", "mon:04:00-mon:05:00", True),  # starts inside it
    ("03:30-04:30", "mon:04:00-mon:05:00", True),  # ends inside it
    ("03:00-06:00", "mon:04:00-mon:05:00", True),  # contains it
    ("04:15-04:45", "mon:04:00-mon:05:00", True),  # inside it
    ("23:30-00:30", "tue:00:00-tue:01:00", True),  # across midnight, into Tuesday's window
    ("23:30-00:30", "sun:23:45-mon:00:15", True),  # across the week's end
    ("05:00-06:00", "sat:04:00-sat:05:00", False),
])
def test_windows_overlap(daily, weekly, expected):
    assert windows_overlap(daily, weekly) is expected


@pytest.mark.parametrize("tags", [
    {},
    {"Owner": "platform-team", "CostCenter": "1234", "Empty": ""},
    {"Équipe": "données 24/7", "チーム": "検索", "path": "a/b=c+d-e@f.g:h_i"},  # letters and digits of any script
    {"Note": "no\u00a0break"},  # a no-break space is a separator (\p{Z})
    {"k" * 128: "v" * 256},
    {"awsome": "rdsx", "x-aws:": "x-rds:"},  # reserved only as a prefix
])
def test_tag_errors_accepts_what_aws_takes(tags):
    assert tag_errors(tags, reserved=["aws:", "rds:"]) == []


@pytest.mark.parametrize("tags, error", [
    ({"Owner": "Data & Analytics (ops)"}, 'value of "Owner": characters AWS refuses: "&" "(" ")"'),
    ({"team,a": "x"}, 'key "team,a": characters AWS refuses: ","'),
    ({"Note": "two\tcolumns"}, 'value of "Note": characters AWS refuses: "\\t"'),
    ({"AWS:owner": "x"}, 'key "AWS:owner": starts with AWS: (aws: is reserved in any case)'),
    ({"app": "Aws:thing"}, 'value of "app": starts with Aws: (aws: is reserved in any case)'),
    ({"rds:team": "x"}, 'key "rds:team": starts with rds: (rds: is reserved in any case)'),
    ({"app": "RDS:mysql"}, 'value of "app": starts with RDS: (rds: is reserved in any case)'),
    ({"": "x"}, 'key "": 0 characters, not 1-128'),
    ({"k" * 129: "x"}, f'key "{"k" * 129}": 129 characters, not 1-128'),
    ({"Note": "v" * 257}, 'value of "Note": 257 characters, not 0-256'),
    ({"CostCenter": 1234}, 'value of "CostCenter": 1234 is not a string (quote it)'),
    ({"Enabled": True}, 'value of "Enabled": true is not a string (quote it)'),
    ({"Owner": None}, 'value of "Owner": null is not a string (quote it)'),
    ({2024: "x"}, "key 2024: not a string (quote it)"),
    ({"Équipe": "a;b"}, 'value of "Équipe": characters AWS refuses: ";"'),
])
def test_tag_errors_names_the_tag_and_the_problem(tags, error):
    assert tag_errors(tags, reserved=["aws:", "rds:"]) == [error]


def test_tag_errors_key_length_and_reserved_prefixes_per_service():
    assert tag_errors({"k" * 128: "x"}, max_key_length=127) == [f'key "{"k" * 128}": 128 characters, not 1-127']
    assert tag_errors({"rds:team": "x"}) == []  # only RDS and DocumentDB reserve rds:
    assert tag_errors(["Owner"]) == ['not a dict of tags: ["Owner"]']


def test_handoff_secrets_lookup_mode_writes_an_expression_per_password():
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:openedx/prod/mysql/edxapp001-AbCdEf"
    found = handoff_secrets({"mysql": {"secret_id": arn, "key": "password"}}, "lookup", "us-east-1")
    assert found == {"mysql": "{{ lookup('amazon.aws.secretsmanager_secret', '" + arn
                     + ".password', nested=true, region='us-east-1') }}"}


@pytest.mark.parametrize("secret_id, key", [
    ("openedx/prod/mysql/it's", "password"),  # a quote would end the expression's string
    ("openedx/prod/mysql/a.b", "password"),  # the nested lookup splits the term at dots
    ("openedx/prod/mysql/edxapp001", "pass word"),
])
def test_handoff_secrets_refuses_what_the_expression_cannot_carry(secret_id, key):
    with pytest.raises(AnsibleFilterError):
        handoff_secrets({"mysql": {"secret_id": secret_id, "key": key}}, "lookup", "us-east-1")


def test_handoff_secrets_vault_mode_marks_the_value_and_never_shows_it_in_errors():
    refs = {"redis": {"secret_id": "openedx/prod/redis/default", "key": "auth_token"}}
    assert handoff_secrets(refs, "vault", values=['{"auth_token": "T0ken-value"}']) == {
        "redis": {"__vault__": "T0ken-value"}}
    with pytest.raises(AnsibleFilterError) as error:
        handoff_secrets(refs, "vault", values=['{"password": "Other-secret1"}'])
    assert "auth_token" in str(error.value) and "Other-secret1" not in str(error.value)


def test_handoff_yaml_vaults_marked_values_and_keeps_unchanged_ciphertext():
    data = {"EDXAPP_MYSQL_PASSWORD": {"__vault__": "S3cret-password"}, "EDXAPP_MYSQL_PORT": "3306",
            "EDXAPP_MYSQL_OPTIONS": {"ssl": {"ca": "/ca.pem"}}, "HOSTS": ["a", "b"]}
    first = handoff_yaml(data, vault_password="pw", vault_id="prod")
    assert "S3cret-password" not in first
    assert "EDXAPP_MYSQL_PASSWORD: !vault |" in first and "$ANSIBLE_VAULT;1.2;AES256;prod" in first
    assert "EDXAPP_MYSQL_PORT: '3306'" in first and "  - a\n" in first
    vault = VaultLib([("prod", VaultSecret(b"pw"))])
    ciphertext = first.split("!vault |-\n")[1].split("\nEDXAPP_MYSQL_PORT")[0].replace("  ", "")
    assert vault.decrypt(ciphertext) == b"S3cret-password"
    assert handoff_yaml(data, vault_password="pw", vault_id="prod", previous=first) == first
    changed = handoff_yaml({**data, "EDXAPP_MYSQL_PASSWORD": {"__vault__": "N3w-password"}},
                           vault_password="pw", vault_id="prod", previous=first)
    assert changed != first and "N3w-password" not in changed


def test_handoff_yaml_refuses_a_value_to_vault_without_a_password():
    with pytest.raises(AnsibleFilterError):
        handoff_yaml({"A": {"__vault__": "S3cret-password"}})


def test_connection_table_aligns_one_line_per_service_in_name_order():
    rows = [
        {"service": "redis", "ok": False, "reason": "TCP: connection refused at 127.0.0.1:16379 (server stopped?)"},
        {"service": "mysql", "ok": True, "reason": "",
         "checks": [{"name": "TLS", "ok": True, "detail": "TLSv1.3"},
                    {"name": "round trip", "ok": True, "detail": "SELECT 1 answered 1"}]},
        {"service": "documentdb", "ok": False, "reason": ""},
    ]
    assert connection_table(rows).splitlines() == [
        "service    | result | reason",
        "-----------+--------+-------------------------------------------------------------",
        "documentdb | FAIL   | no reason given",
        "mysql      | OK     | SELECT 1 answered 1",
        "redis      | FAIL   | TCP: connection refused at 127.0.0.1:16379 (server stopped?)",
    ]


def test_connection_table_of_one_ok_service_without_checks():
    assert connection_table([{"service": "mysql", "ok": True}]).splitlines() == [
        "service | result | reason", "--------+--------+-------", "mysql   | OK     |"]
