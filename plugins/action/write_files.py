# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writes a set of files on the controller in one task: the hand-off's artifacts.

``ansible.builtin.copy`` and ``template`` run two modules a file (stat, then copy), each a Python process; twenty
hand-off files cost the director seconds on every run. The artifacts live on the controller, so this plugin
compares and writes them there, in-process, with check mode and a diff per file.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase

MODE = re.compile(r"^0?[0-7]{3}$")

ARGUMENT_SPEC = {
    "files": {
        "type": "list",
        "elements": "dict",
        "default": [],
        "options": {
            "path": {"type": "path", "required": True},
            "content": {"type": "str"},
            "src": {"type": "str"},
            "mode": {"type": "str", "default": "0644"},
        },
        "mutually_exclusive": [["content", "src"]],
        "required_one_of": [["content", "src"]],
    },
    "directories": {
        "type": "list",
        "elements": "dict",
        "default": [],
        "options": {
            "path": {"type": "path", "required": True},
            "mode": {"type": "str", "default": "0750"},
            "prune": {"type": "list", "elements": "str", "default": []},
        },
    },
    "absent": {"type": "list", "elements": "path", "default": []},
}


@dataclass
class Plan:
    """What a run would do: each entry names a path; ``diff`` holds one before/after per changed path."""

    directories: list[tuple[str, int]] = field(default_factory=list)
    chmod: list[tuple[str, int]] = field(default_factory=list)
    write: list[tuple[str, bytes, int]] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    diff: list[dict[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.directories or self.chmod or self.write or self.remove)


def parse_mode(value: str, where: str) -> int:
    if not MODE.match(value or ""):
        raise AnsibleActionFail(f"{where} must be an octal mode as a string, such as '0644'; got {value!r}.")
    return int(value, 8)


def current_mode(path: str) -> int | None:
    try:
        return stat.S_IMODE(os.lstat(path).st_mode)
    except FileNotFoundError:
        return None


def read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def text_for_diff(data: bytes | None) -> str:
    if data is None:
        return ""
    text = to_text(data, errors="surrogate_or_replace")
    return text if "\x00" not in text else "(binary)"


def plan(directories: list[dict], files: list[dict], absent: list[str]) -> Plan:
    """Compare the wanted files and directories with the disk; nothing is changed here."""
    result = Plan()
    written = {os.path.abspath(item["path"]) for item in files}
    for index, item in enumerate(directories):
        path, mode = item["path"], parse_mode(item["mode"], f"directories[{index}].mode")
        if os.path.lexists(path) and not os.path.isdir(path):
            raise AnsibleActionFail(f"directories[{index}].path {path} exists and is not a directory.")
        have = current_mode(path)
        if have is None:
            result.directories.append((path, mode))
            result.diff.append({"before_header": path, "after_header": path, "before": "", "after": "(directory)\n"})
        elif have != mode:
            result.chmod.append((path, mode))
            result.diff.append({"before_header": path, "after_header": path,
                                "before": f"mode {have:04o}\n", "after": f"mode {mode:04o}\n"})
        if item["prune"] and have is not None:
            for name in sorted(os.listdir(path)):
                full = os.path.join(path, name)
                if (os.path.isfile(full) and os.path.abspath(full) not in written
                        and any(fnmatch.fnmatchcase(name, pattern) for pattern in item["prune"])):
                    result.remove.append(full)
    for index, item in enumerate(files):
        path, mode = item["path"], parse_mode(item["mode"], f"files[{index}].mode")
        if os.path.isdir(path):
            raise AnsibleActionFail(f"files[{index}].path {path} is a directory.")
        data = item["data"]
        before = read_bytes(path)
        if before != data:
            result.write.append((path, data, mode))
            result.diff.append({"before_header": path, "after_header": path,
                                "before": text_for_diff(before), "after": text_for_diff(data)})
        elif current_mode(path) != mode:
            result.chmod.append((path, mode))
            result.diff.append({"before_header": path, "after_header": path,
                                "before": f"mode {current_mode(path):04o}\n", "after": f"mode {mode:04o}\n"})
    for path in absent:
        if os.path.lexists(path):
            result.remove.append(path)
    for path in result.remove:
        result.diff.append({"before_header": path, "after_header": path,
                            "before": "(directory)\n" if os.path.isdir(path) else text_for_diff(read_bytes(path)),
                            "after": ""})
    return result


def write_atomically(path: str, data: bytes, mode: int) -> None:
    """A reader never sees half a file, and a file that carries a secret is never readable beyond its mode."""
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".write_files.")
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        for root, dirs, names in os.walk(path, topdown=False):
            for name in names:
                os.unlink(os.path.join(root, name))
            for name in dirs:
                os.rmdir(os.path.join(root, name))
        os.rmdir(path)
    else:
        os.unlink(path)


def apply(result: Plan) -> None:
    for path, mode in result.directories:
        os.makedirs(path, exist_ok=True)
        os.chmod(path, mode)
    for path, data, mode in result.write:
        write_atomically(path, data, mode)
    for path, mode in result.chmod:
        os.chmod(path, mode)
    for path in result.remove:
        remove(path)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        del validation
        files = []
        for item in args["files"]:
            if item["src"] is not None:
                source = self._find_needle("files", item["src"])
                data = read_bytes(source)
            else:
                data = to_bytes(item["content"], errors="surrogate_or_strict")
            files.append(dict(item, data=data))
        wanted = plan(args["directories"], files, args["absent"])
        if not self._task.check_mode:
            apply(wanted)
        result.update(
            changed=wanted.changed,
            written=[path for path, _data, _mode in wanted.write],
            removed=wanted.remove,
        )
        if self._task.diff and wanted.diff:
            result["diff"] = wanted.diff
        return result
