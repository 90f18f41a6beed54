"""No generated secret appears in the output of a run at -vvvv, nor in any artifact."""

from __future__ import annotations

import json

from conftest import ROOT, aws, fresh_environment, recap, run_playbook


def _secret_values(environment: str) -> list[str]:
    client = aws("secretsmanager")
    names = [s["Name"] for s in client.list_secrets()["SecretList"] if s["Name"].startswith(f"openedx/{environment}/")]
    values = []
    for name in names:
        secret = json.loads(client.get_secret_value(SecretId=name)["SecretString"])
        values += [secret[key] for key in ("password", "auth_token") if key in secret]
    return values


def test_no_secret_in_verbose_output_or_artifacts():
    extra_vars = fresh_environment("leakcheck")

    first = run_playbook("-vvvv", extra_vars=extra_vars)
    second = run_playbook("-vvvv", extra_vars=extra_vars)

    assert recap(first.stdout)["failed"] == 0, first.stdout[-3000:]
    assert recap(second.stdout)["failed"] == 0, second.stdout[-3000:]
    # The scan means something only if the output is really the most verbose one, module arguments and all.
    assert "ESTABLISH LOCAL CONNECTION" in first.stdout and "AnsiballZ_rds_instance.py" in first.stdout
    secrets = _secret_values("leakcheck")
    assert len(secrets) >= 2  # the master and the application user
    artifacts = [p.read_text(errors="replace") for p in (ROOT / "artifacts" / "leakcheck").rglob("*") if p.is_file()]
    assert artifacts, "the run wrote no artifact"
    for secret in secrets:
        assert len(secret) >= 16
        assert secret not in first.stdout
        assert secret not in second.stdout
        for text in artifacts:
            assert secret not in text
