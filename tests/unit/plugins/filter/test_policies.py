"""The least-privilege check of policy documents (policy_errors) and the TLS-only check of bucket policies."""

from __future__ import annotations

import json

import pytest
from ansible_collections.openedx.data_services.plugins.filter.policies import denies_insecure_transport, policy_errors

ACCOUNT = "123456789012"


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(**elements) -> dict:
    return {"Effect": "Allow", **elements}


@pytest.mark.parametrize("statement", [
    allow(Action=["s3:GetObject", "s3:ListBucket"], Resource=["arn:aws:s3:::b", "arn:aws:s3:::b/*"]),
    allow(Action="s3:*", Resource="arn:aws:s3:::b/*"),  # a whole service, on one bucket
    allow(Action="es:ESHttp*", Resource="*"),  # part of a service, everywhere
    allow(Action="elasticmapreduce:RunJobFlow", Resource="*",
          Condition={"StringEquals": {"elasticmapreduce:RequestTag/Environment": "prod"}}),
    {"Effect": "Deny", "Action": "*", "Resource": "*", "Principal": "*"},
    {"Effect": "Deny", "NotAction": "s3:GetObject", "NotResource": "arn:aws:s3:::b/*"},
    allow(Principal={"Service": "ec2.amazonaws.com"}, Action="sts:AssumeRole"),
    allow(Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, Action="sts:AssumeRole",
          Condition={"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/a"}}),
    allow(Principal="*", Action="kms:Decrypt", Resource="*",
          Condition={"StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": "s3.us-east-1.amazonaws.com"}}),
    allow(Principal={"AWS": "*"}, Action="s3:GetObject", Resource="arn:aws:s3:::b/*",
          Condition={"StringEquals": {"AWS:SourceVpce": "vpce-1"}}),  # condition keys are case-insensitive
])
def test_statements_that_grant_no_more_than_they_name_pass(statement: dict) -> None:
    assert policy_errors(policy(statement)) == []


@pytest.mark.parametrize(("statement", "expected"), [
    (allow(Action="*", Resource="*"), "statement 1: allows * on every resource (*)"),
    (allow(Sid="Admin", Action=["s3:GetObject", "s3:*", "iam:*"], Resource=["arn:aws:s3:::b", "*"]),
     "statement 1 (Admin): allows s3:*, iam:* on every resource (*)"),
    (allow(Action="*:*", Resource="*"), "statement 1: allows *:* on every resource (*)"),
    (allow(NotAction="iam:*", Resource="*"), 'statement 1: allows every action but "iam:*" (NotAction) on every '
                                             "resource (*)"),
    (allow(Action="s3:*", NotResource="arn:aws:s3:::secret/*"),
     'statement 1: allows s3:* on every resource but "arn:aws:s3:::secret/*" (NotResource)'),
    # An Effect other than Deny is checked as Allow: IAM refuses it or allows.
    ({"Action": "ec2:*", "Resource": "*"}, "statement 1: allows ec2:* on every resource (*)"),
])
def test_whole_services_on_every_resource_are_refused(statement: dict, expected: str) -> None:
    assert policy_errors(policy(statement)) == [expected]


@pytest.mark.parametrize("statement", [
    allow(Principal="*", Action="sts:AssumeRole"),
    allow(Principal={"AWS": "*"}, Action="sts:AssumeRole"),
    allow(Principal={"AWS": ["arn:aws:iam::111122223333:root", "*"]}, Action="sts:AssumeRole"),
    allow(Principal="*", Action="s3:GetObject", Resource="arn:aws:s3:::b/*",
          Condition={"Bool": {"aws:SecureTransport": "true"}}),  # says how, not who
    allow(Principal="*", Action="s3:GetObject", Resource="arn:aws:s3:::b/*",
          Condition={"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}),  # holds when the key is absent
    allow(Principal="*", Action="s3:GetObject", Resource="arn:aws:s3:::b/*",
          Condition={"Null": {"aws:SourceAccount": "false"}}),
])
def test_anyone_without_a_condition_on_who_calls_is_refused(statement: dict) -> None:
    [error] = policy_errors(policy(statement))
    assert error.startswith("statement 1: allows Principal * without a condition that restricts who calls")


def test_not_principal_in_an_allow_statement_is_refused() -> None:
    assert policy_errors(policy(allow(NotPrincipal={"AWS": "arn:aws:iam::1:root"}, Action="s3:GetObject",
                                      Resource="arn:aws:s3:::b/*"))) == [
        'statement 1: allows every principal but {"AWS": "arn:aws:iam::1:root"} (NotPrincipal)']


def test_every_problem_of_every_statement_is_named() -> None:
    document = policy(allow(Sid="Fine", Action="s3:GetObject", Resource="arn:aws:s3:::b/*"),
                      allow(Sid="Open", Principal="*", Action="*", Resource="*"))
    assert policy_errors(document) == [
        "statement 2 (Open): allows * on every resource (*)",
        "statement 2 (Open): allows Principal * without a condition that restricts who calls (such as "
        "aws:SourceAccount, aws:SourceArn, aws:PrincipalOrgID or aws:PrincipalArn)",
    ]


def test_a_json_string_and_a_single_statement_are_read_like_a_dict() -> None:
    document = {"Version": "2012-10-17", "Statement": allow(Action="*", Resource="*")}
    assert policy_errors(json.dumps(document)) == policy_errors(document) == [
        "statement 1: allows * on every resource (*)"]


@pytest.mark.parametrize(("document", "expected"), [
    ("{not json", "the policy is not JSON"),
    ([], "the policy is not a JSON object: []"),
    (None, "the policy is not a JSON object: null"),
    ({"Version": "2012-10-17"}, "the policy has no Statement"),
    ({"Statement": []}, "the policy has no Statement"),
    ({"Statement": ["Allow"]}, "statement 1: not a JSON object"),
])
def test_what_is_not_a_policy_is_a_problem(document, expected: str) -> None:
    [error] = policy_errors(document)
    assert error.startswith(expected)


TLS_ONLY = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


@pytest.mark.parametrize(("document", "expected"), [
    (policy(TLS_ONLY), True),
    (json.dumps(policy(allow(Action="s3:GetObject", Resource="*"), TLS_ONLY)), True),
    (policy({**TLS_ONLY, "Principal": {"AWS": "*"}, "Action": ["*"],
             "Condition": {"Bool": {"aws:securetransport": False}}}), True),
    (policy({**TLS_ONLY, "Effect": "Allow"}), False),
    (policy({**TLS_ONLY, "Action": "s3:PutObject"}), False),  # GetObject over HTTP still answered
    (policy({**TLS_ONLY, "Principal": {"AWS": "arn:aws:iam::1:root"}}), False),
    (policy({**TLS_ONLY, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}), False),
    (None, False),
    ("", False),
])
def test_a_bucket_policy_denies_insecure_transport_only_for_every_principal_and_action(document, expected) -> None:
    assert denies_insecure_transport(document) is expected
