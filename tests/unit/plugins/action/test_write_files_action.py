"""The write_files action plugin: what it plans, writes, prunes and reports, on a temporary directory."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.openedx.data_services.plugins.action import write_files as action


def run_action(args: dict[str, Any], check_mode: bool = False, diff: bool = True,
               files_dir: Path | None = None) -> dict[str, Any]:
    plugin = object.__new__(action.ActionModule)
    plugin._task = mock.Mock(args=args, check_mode=check_mode, diff=diff,
                             resolved_action="openedx.data_services.write_files")
    plugin._find_needle = lambda kind, name: str((files_dir or Path("/nonexistent")) / name)

    def validate(argument_spec: dict[str, Any]) -> tuple[None, dict[str, Any]]:
        from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
        checked = ArgumentSpecValidator(argument_spec).validate(args)
        if checked.error_messages:
            raise AnsibleActionFail("; ".join(checked.error_messages))
        return None, checked.validated_parameters

    plugin.validate_argument_spec = validate
    with mock.patch("ansible.plugins.action.ActionBase.run", return_value={}):
        return plugin.run(task_vars={})


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writes_directories_and_files_with_their_modes_then_reports_no_change(tmp_path: Path) -> None:
    target = tmp_path / "env" / "tutor"
    args = {"directories": [{"path": str(target), "mode": "0750"}],
            "files": [{"path": str(target / "settings.yml"), "content": "A: 1\n", "mode": "0600"},
                      {"path": str(target / "values.json"), "content": "{}\n"}]}
    result = run_action(args)
    assert result["changed"] is True
    assert result["written"] == [str(target / "settings.yml"), str(target / "values.json")]
    assert (target / "settings.yml").read_text() == "A: 1\n"
    assert mode_of(target) == 0o750 and mode_of(target / "settings.yml") == 0o600
    assert mode_of(target / "values.json") == 0o644
    assert [entry["after_header"] for entry in result["diff"]] == [
        str(target), str(target / "settings.yml"), str(target / "values.json")]
    again = run_action(args)
    assert again == {"changed": False, "written": [], "removed": []}
    assert not [name for name in os.listdir(target) if name.startswith(".write_files.")]


def test_check_mode_plans_the_same_changes_and_touches_nothing(tmp_path: Path) -> None:
    (tmp_path / "kept.yml").write_text("old\n")
    args = {"files": [{"path": str(tmp_path / "kept.yml"), "content": "new\n"},
                      {"path": str(tmp_path / "made.yml"), "content": "x\n"}],
            "absent": [str(tmp_path / "kept.yml.bak")]}
    result = run_action(args, check_mode=True)
    assert result["changed"] is True and len(result["written"]) == 2
    kept = str(tmp_path / "kept.yml")
    assert result["diff"][0] == {"before_header": kept, "after_header": kept, "before": "old\n", "after": "new\n"}
    assert (tmp_path / "kept.yml").read_text() == "old\n" and not (tmp_path / "made.yml").exists()


def test_a_mode_change_alone_is_a_change(tmp_path: Path) -> None:
    path = tmp_path / "secret.yml"
    path.write_text("x\n")
    path.chmod(0o644)
    result = run_action({"files": [{"path": str(path), "content": "x\n", "mode": "0600"}]})
    assert result["changed"] is True and result["written"] == []
    assert result["diff"] == [{"before_header": str(path), "after_header": str(path),
                               "before": "mode 0644\n", "after": "mode 0600\n"}]
    assert mode_of(path) == 0o600


def test_prune_removes_only_unwritten_files_matching_the_patterns(tmp_path: Path) -> None:
    for name in ("externalsecret-mysql.yaml", "externalsecret-redis.yaml", "kustomization.yaml"):
        (tmp_path / name).write_text(name)
    args = {"directories": [{"path": str(tmp_path), "mode": "0750", "prune": ["externalsecret-*.yaml"]}],
            "files": [{"path": str(tmp_path / "externalsecret-mysql.yaml"), "content": "externalsecret-mysql.yaml"}]}
    tmp_path.chmod(0o750)
    result = run_action(args)
    assert result["removed"] == [str(tmp_path / "externalsecret-redis.yaml")]
    assert sorted(os.listdir(tmp_path)) == ["externalsecret-mysql.yaml", "kustomization.yaml"]


def test_absent_removes_a_directory_with_what_it_holds(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    (plain / "sub").mkdir(parents=True)
    (plain / "sub" / "secret.yaml").write_text("password: x\n")
    result = run_action({"absent": [str(plain), str(tmp_path / "never-there")]})
    assert result["changed"] is True and result["removed"] == [str(plain)] and not plain.exists()


def test_src_copies_a_file_of_the_role(tmp_path: Path) -> None:
    role_files = tmp_path / "files"
    (role_files / "tutor").mkdir(parents=True)
    (role_files / "tutor" / "plugin.py").write_bytes(b"print('hi')\n")
    dest = tmp_path / "plugin.py"
    result = run_action({"files": [{"path": str(dest), "src": "tutor/plugin.py"}]}, files_dir=role_files)
    assert result["changed"] is True and dest.read_bytes() == b"print('hi')\n"


def test_a_mode_without_its_leading_zero_is_octal(tmp_path: Path) -> None:
    run_action({"files": [{"path": str(tmp_path / "a"), "content": "x", "mode": "640"}]})
    assert mode_of(tmp_path / "a") == 0o640


def test_no_diff_unless_asked(tmp_path: Path) -> None:
    result = run_action({"files": [{"path": str(tmp_path / "a"), "content": "x"}]}, diff=False)
    assert result["changed"] is True and "diff" not in result


@pytest.mark.parametrize(("args", "message"), [
    ({"files": [{"path": "/tmp/x", "content": "x", "mode": "u+rw"}]}, "files[0].mode must be an octal mode"),
    ({"files": [{"path": "/tmp/x", "content": "x", "mode": "0999"}]}, "files[0].mode must be an octal mode"),
    ({"directories": [{"path": "/tmp/x", "mode": "rwx"}]}, "directories[0].mode must be an octal mode"),
    ({"files": [{"path": "/tmp/x"}]}, "one of the following is required: content, src"),
    ({"files": [{"path": "/tmp/x", "content": "x", "src": "y"}]}, "mutually exclusive"),
])
def test_bad_arguments_fail_before_any_write(args: dict[str, Any], message: str) -> None:
    with pytest.raises(AnsibleActionFail, match=message.replace("[", r"\[").replace("]", r"\]")):
        run_action(args, check_mode=True)


def test_a_directory_in_place_of_a_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AnsibleActionFail, match="is a directory"):
        run_action({"files": [{"path": str(tmp_path), "content": "x"}]})
    (tmp_path / "file").write_text("x")
    with pytest.raises(AnsibleActionFail, match="exists and is not a directory"):
        run_action({"directories": [{"path": str(tmp_path / "file")}]})
