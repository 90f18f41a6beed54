"""The roles' README variable tables are what tools/role_readme.py generates from their argument specs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from tools import role_readme

ROOT = Path(__file__).resolve().parents[2]

SPEC = yaml.safe_load(
    textwrap.dedent(
        """
        main: &main
          short_description: Example.
          options:
            demo_name:
              type: str
              required: true
              description: Name, C(<prefix>-<env>) by default; see O(demo_size) and V(x|y).
            demo_size:
              type: int
              default: 3
              choices: [1, 3]
              description:
                - I(Nodes), B(not) U(https://example.com/a_b) or L(the guide, https://example.com/guide).
                - A 2_3 *star* and O(openedx.data_services.secrets#role:credential:secrets_password).
            demo_users:
              type: list
              elements: dict
              default: []
              options:
                name:
                  type: str
                  description: E(HOME) and RV(result) and M(amazon.aws.s3_bucket).
        validate: *main
        delete:
          short_description: Delete.
          options: {}
        """
    )
)


def test_renderer_writes_one_table_per_distinct_entry_point() -> None:
    block = role_readme.render("demo", SPEC, "openedx.data_services")

    assert block == "\n".join(
        [
            role_readme.BEGIN,
            role_readme.NOTE,
            "",
            "Entry points `main` and `validate`:",
            "",
            "| Variable | Type | Default | Choices | Required | Description |",
            "|---|---|---|---|---|---|",
            "| `demo_name` | str |  |  | yes | Name, `<prefix>-<env>` by default; see `demo_size` and `x\\|y`. |",
            "| `demo_size` | int | `3` | `1`, `3` | no | *Nodes*, **not** <https://example.com/a_b> or "
            "[the guide](https://example.com/guide).<br><br>A 2_3 \\*star\\* and `secrets_password` "
            "(role [`secrets`](../secrets/README.md)). |",
            "| `demo_users` | list of dict | `[]` |  | no |  |",
            "| `demo_users[].name` | str |  |  | no | `HOME` and `result` and `amazon.aws.s3_bucket`. |",
            "",
            "Entry point `delete`: no variables.",
            "",
            role_readme.END,
        ]
    )


def test_renderer_refuses_broken_markup() -> None:
    spec = {"main": {"options": {"demo_x": {"description": "Characters C(! &"}}}}

    with pytest.raises(ValueError, match="closing"):
        role_readme.render("demo", spec, "openedx.data_services")


@pytest.mark.parametrize(
    "readme",
    [
        "# demo\n\n## Variables\n| variable | meaning |\n|---|---|\n| `x` | y |\n\nShared: z.\n\n## Example\nx\n",
        f"# demo\n\n## Variables\n{role_readme.BEGIN}\nold\n{role_readme.END}\n\nShared: z.\n\n## Example\nx\n",
    ],
    ids=["hand-written table", "generated block"],
)
def test_update_replaces_only_the_table(readme: str) -> None:
    assert role_readme.update(readme, "BLOCK") == "# demo\n\n## Variables\nBLOCK\n\nShared: z.\n\n## Example\nx\n"


def test_check_names_the_drifted_readme(tmp_path: Path) -> None:
    (tmp_path / "galaxy.yml").write_text("namespace: openedx\nname: data_services\n")
    role = tmp_path / "roles" / "demo"
    (role / "meta").mkdir(parents=True)
    (role / "meta" / "argument_specs.yml").write_text(yaml.safe_dump({"argument_specs": SPEC}))
    (role / "README.md").write_text("# demo\n\n## Variables\n| a | b |\n|---|---|\n")

    assert role_readme.main(["--root", str(tmp_path), "--check"]) == 1
    assert role_readme.main(["--root", str(tmp_path)]) == 0
    assert role_readme.main(["--root", str(tmp_path), "--check"]) == 0


def test_role_readmes_match_their_argument_specs() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "role_readme.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, f"{result.stdout}{result.stderr}"
