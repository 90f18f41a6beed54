# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""YAML for the hand-off files the client keeps in their secure repository: secrets there are either lookups resolved
at use or inline ansible-vault values, and an inline vault value must be a C(!vault |) block to be decrypted when
the file is loaded."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

import yaml
from ansible.parsing.yaml.dumper import AnsibleDumper

VAULT_HEADER = "$ANSIBLE_VAULT;"


def _swap_vaults(data: Any, token: str, ciphertexts: list[str]) -> Any:
    if isinstance(data, str):
        if not data.startswith(VAULT_HEADER):
            return data
        ciphertexts.append(str(data).strip())
        return f"{token}{len(ciphertexts) - 1}"
    if isinstance(data, Mapping):
        return {key: _swap_vaults(value, token, ciphertexts) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_swap_vaults(item, token, ciphertexts) for item in data]
    return data


def handoff_yaml(data: Any, indent: int = 2, sort_keys: bool = True) -> str:
    """to_nice_yaml, with each string that is an ansible-vault ciphertext written as a !vault block."""
    # The dumper cannot be subclassed portably (ansible-core 2.19 made AnsibleDumper a factory), so each ciphertext
    # is dumped as a placeholder scalar and the placeholder's line rewritten.
    token = f"handoff-vault-{uuid.uuid4().hex}-"
    ciphertexts: list[str] = []
    text = yaml.dump(_swap_vaults(data, token, ciphertexts), Dumper=AnsibleDumper, indent=indent,
                     allow_unicode=True, default_flow_style=False, sort_keys=sort_keys)

    def block(match: re.Match) -> str:
        lead, item = match.group("lead"), match.group("item") or ""
        depth = len(lead) + len(item) + indent
        body = "".join(f"{' ' * depth}{line}\n" for line in ciphertexts[int(match.group("index"))].splitlines())
        return f"{lead}{item}{match.group('key') or ''}!vault |\n{body}"

    pattern = rf"(?m)^(?P<lead> *)(?P<item>- )?(?P<key>[^\n]*?: )?{re.escape(token)}(?P<index>\d+)\n"
    return re.sub(pattern, block, text)


class FilterModule:
    def filters(self):
        return {"handoff_yaml": handoff_yaml}
