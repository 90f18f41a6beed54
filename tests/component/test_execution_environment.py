"""execution-environment.yml: ansible-builder 3 makes a build context holding this collection, built from the
repository, the collections of requirements.yml in the same ranges, and the modules' Python libraries.

``create`` only: the image itself needs a container runtime (make ee).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TARBALL = "openedx-data_services.tar.gz"


def requirement_names(text: str) -> dict[str, str]:
    """name -> specifier of a pip requirements file."""
    found = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            name, specifier = re.match(r"^([A-Za-z0-9_.-]+)(.*)$", line).groups()
            found[name.lower()] = specifier.strip()
    return found


def test_the_build_context_holds_the_collection_its_collections_and_its_libraries(tmp_path: Path) -> None:
    # The EE file's paths are relative to it: lay it out in tmp_path the way the repository does.
    shutil.copy(ROOT / "execution-environment.yml", tmp_path)
    (tmp_path / "meta").mkdir()
    shutil.copy(ROOT / "meta" / "ee-requirements.txt", tmp_path / "meta")
    built = tmp_path / "build" / "ee"
    subprocess.run([BIN / "ansible-galaxy", "collection", "build", "--output-path", built, ROOT], check=True,
                   capture_output=True, text=True)
    next(built.glob("openedx-data_services-*.tar.gz")).rename(built / TARBALL)

    context = tmp_path / "context"
    created = subprocess.run([BIN / "ansible-builder", "create", "--file", tmp_path / "execution-environment.yml",
                              "--context", context, "--output-filename", "Containerfile"],
                             capture_output=True, text=True, check=False)
    assert created.returncode == 0, created.stdout + created.stderr
    assert "No matches" not in created.stdout + created.stderr

    containerfile = (context / "Containerfile").read_text()
    assert "ARG EE_BASE_IMAGE=\"quay.io/centos/centos:stream9\"" in containerfile
    assert "RUN $PKGMGR install $PYPKG -y" in containerfile and "ARG PYCMD=\"/usr/bin/python3.12\"" in containerfile
    assert "ansible-core>=2.19,<2.20" in containerfile and "ansible-runner" in containerfile
    assert "ansible-galaxy collection install" in containerfile and "-r requirements.yml" in containerfile

    # The galaxy requirements: this collection's tarball, then requirements.yml's collections in the same ranges.
    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text())["collections"]
    assert galaxy[0] == {"name": f"collections/{TARBALL}", "type": "file"}
    wanted = yaml.safe_load((ROOT / "requirements.yml").read_text())["collections"]
    assert galaxy[1:] == wanted
    collections = {c["name"] for c in galaxy[1:]}
    assert collections == {"amazon.aws", "community.aws", "community.mysql", "community.postgresql", "kubernetes.core"}

    # The collection in the context is the repository's, with the playbooks and the roles.
    with tarfile.open(context / "_build" / "collections" / TARBALL) as archive:
        names = set(archive.getnames())
        manifest = yaml.safe_load(archive.extractfile("MANIFEST.json"))["collection_info"]
    assert (manifest["namespace"], manifest["name"]) == ("openedx", "data_services")
    assert manifest["version"] == yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    assert {"playbooks/data-services.yml", "playbooks/report.yml", "roles/report/files/prices.yml",
            "plugins/modules/environment_report_info.py", "meta/execution-environment.yml"} <= names
    assert not any(name.startswith(("sandbox/", ".sandbox/", "artifacts/", "tests/unit/sandbox/")) for name in names)

    # The Python libraries: requirements.txt's run-time ones (all but ansible itself), with the same specifiers.
    python = requirement_names((context / "_build" / "requirements.txt").read_text())
    runtime = requirement_names((ROOT / "requirements.txt").read_text())
    runtime.pop("ansible")
    assert python == runtime
    assert {"boto3", "botocore", "pymysql", "pymongo", "redis"} <= set(python)


def test_the_collection_tells_ansible_builder_its_libraries() -> None:
    metadata = yaml.safe_load((ROOT / "meta" / "execution-environment.yml").read_text())
    assert metadata == {"version": 1, "dependencies": {"python": "meta/ee-requirements.txt"}}
