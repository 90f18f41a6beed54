"""report.yml against the shared environment (conftest.shared_environment).

The report names the resources and the key AWS holds, makes read calls only (as many as it says), carries no secret,
and its page renders in headless Chromium with its tables. A setting broken out of band (the data services' group
opened to 0.0.0.0/0) fails --tags verify naming the check, until it is restored. A prod-profile environment is
refused without data_services_confirm, before any AWS call.

The alarms' checks are not asserted: they pass once data-services.yml makes the alarms.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from conftest import ROOT, aws, ledger, run_playbook, sandbox, secret_values

PLAYBOOK = "playbooks/report.yml"
ROW = re.compile(r"^\s*(kms|mysql|documentdb|opensearch|redis)\s+\|\s+(\S+)\s+\|\s+(PASS|FAIL)\s*$")
CALLS = re.compile(r"(\d+)\s+AWS\s+API\s+calls,\s+all\s+reads")
# The colours of the page's table headers and of a passed check (report.html.j2's style sheet).
HEADER = (0x1F, 0x4E, 0x79)
PASSED = (0xCD, 0xEB, 0xD3)


def table(output: str) -> dict[str, str]:
    """The rows of the printed table: ``service.check`` -> PASS or FAIL."""
    rows = {}
    for line in output.splitlines():
        match = ROW.match(line)
        if match:
            rows[f"{match.group(1)}.{match.group(2)}"] = match.group(3)
    return rows


def confirmed(shared_environment) -> dict:
    return {**shared_environment.extra_vars, "data_services_confirm": shared_environment.name}


def png_pixels(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Width, height and RGB pixels of an 8-bit RGB or RGBA PNG (what Chromium writes), with the standard library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
    width, height, depth, colour, interlace = header[0], header[1], header[2], header[3], header[6]
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    stride = width * channels
    raw = zlib.decompress(b"".join(chunks))
    previous, pixels = bytearray(stride), []
    for row in range(height):
        kind, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                nearest = min((abs(estimate - left), 0, left), (abs(estimate - up), 1, up),
                              (abs(estimate - corner), 2, corner))[2]
                line[i] = (line[i] + nearest) & 0xFF
        pixels += [tuple(line[i:i + 3]) for i in range(0, stride, channels)]
        previous = line
    return width, height, pixels


def chromium(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("chromium is not installed (Debian package chromium: make system-deps)")
    return subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--user-data-dir={tmp_path / 'chromium'}", *args],
                          capture_output=True, text=True, timeout=120, check=True)


def test_the_report_names_what_aws_holds_and_its_page_shows_the_tables(shared_environment, tmp_path):
    sandbox("reset")
    result = run_playbook(playbook=PLAYBOOK, extra_vars=confirmed(shared_environment), timeout=300)
    assert result.returncode == 0, result.stdout[-4000:]

    # Every check but the alarms' passes on an environment data-services.yml converged.
    rows = table(result.stdout)
    assert len(rows) >= 70, result.stdout[-4000:]
    assert {check for check, outcome in rows.items() if outcome == "FAIL" and not check.endswith(".alarms")} == set()
    assert {"kms.rotation", "mysql.require_secure_transport", "documentdb.tls", "opensearch.https", "redis.auth_token",
            "mysql.backup_retention", "redis.no_open_ingress"} <= set(rows)

    # Reads only, as many as the report says.
    calls = ledger()
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    assert sum(calls["read"].values()) == int(CALLS.search(result.stdout).group(1))

    # The report names the resources and the key AWS holds.
    prefix = f"openedx-{shared_environment.name}"
    page = (ROOT / "artifacts" / shared_environment.name / "report.html").read_text()
    instance = aws("rds").describe_db_instances(DBInstanceIdentifier=f"{prefix}-mysql")["DBInstances"][0]
    key = aws("kms").describe_key(KeyId=f"alias/{prefix}-data-services")["KeyMetadata"]
    group = instance["VpcSecurityGroups"][0]["VpcSecurityGroupId"]
    assert instance["KmsKeyId"] == key["Arn"]
    for name in (f"{prefix}-mysql", f"{prefix}-docdb", f"{prefix}-search", f"{prefix}-redis",
                 f"alias/{prefix}-data-services", key["KeyId"], key["Arn"], group, f"{prefix}-data-services",
                 "estimate", "not verifiable from the API"):
        assert name in page, name
    for secret in secret_values(shared_environment.name):
        assert secret not in page

    # Headless Chromium renders the tables: their DOM, and a screenshot with their colours on it.
    dom = chromium("--dump-dom", f"file://{ROOT / 'artifacts' / shared_environment.name / 'report.html'}",
                   tmp_path=tmp_path).stdout
    assert dom.count("<table") >= 30 and "<h2 id=\"summary\">Summary</h2>" in dom
    screenshot = tmp_path / "report.png"
    chromium(f"--screenshot={screenshot}", "--window-size=1280,1600",
             f"file://{ROOT / 'artifacts' / shared_environment.name / 'report.html'}", tmp_path=tmp_path)
    width, height, pixels = png_pixels(screenshot.read_bytes())
    assert (width, height) == (1280, 1600)
    assert sum(pixel == HEADER for pixel in pixels) > 20000  # header rows of the tables, and the headings' rules
    assert sum(pixel == PASSED for pixel in pixels) > 2000  # passed checks in the first service's table
    assert sum(pixel != (255, 255, 255) for pixel in pixels) > len(pixels) // 10


def test_a_group_opened_out_of_band_fails_verify_naming_the_check(shared_environment):
    ec2 = aws("ec2")
    identifier = f"openedx-{shared_environment.name}-mysql"
    instance = aws("rds").describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    group = instance["VpcSecurityGroups"][0]["VpcSecurityGroupId"]
    opened = [{"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306,
               "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "opened out of band"}]}]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=opened)
    try:
        failed = run_playbook("--tags", "verify", "--limit", "mysql", playbook=PLAYBOOK,
                              extra_vars=confirmed(shared_environment), timeout=300)
    finally:
        ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=opened)
    assert failed.returncode != 0, failed.stdout[-3000:]
    rows = table(failed.stdout)
    assert rows["mysql.no_open_ingress"] == "FAIL"
    assert rows["mysql.security_group"] == "FAIL"
    assert rows["mysql.encryption_at_rest"] == "PASS"
    assert not any(check.startswith(("redis.", "documentdb.", "opensearch.")) for check in rows)
    message = re.search(r"msg: '?(\d+ checks failed: [^(]*)", failed.stdout)
    assert message and "mysql.no_open_ingress" in message.group(1), failed.stdout[-3000:]
    assert "wider than the VPC" in (ROOT / "artifacts" / shared_environment.name / "report.html").read_text()


def test_a_prod_profile_environment_is_refused_without_its_confirmation(shared_environment):
    sandbox("reset")
    refused = run_playbook(playbook=PLAYBOOK, extra_vars=shared_environment.extra_vars, timeout=300)
    assert refused.returncode != 0
    name = shared_environment.name
    assert f"{name} is a prod-profile environment" in refused.stdout
    assert f"-e data_services_confirm={name}" in refused.stdout
    assert ledger()["totals"]["read"] == ledger()["totals"]["mutating"] == 0
