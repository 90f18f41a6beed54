# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hand-off files' two ways of carrying a password without writing it: a Secrets Manager lookup resolved where
the file is used, or an inline ansible-vault value."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import yaml
from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.parsing.vault import AnsibleVaultError, VaultLib, VaultSecret

VAULT_HEADER = "$ANSIBLE_VAULT;"
# The key of the one-item dict that marks a value to encrypt: {"__vault__": "<plain text>"}.
VAULT_MARKER = "__vault__"
# Secrets Manager ARNs and names: the lookup's nested form splits the term at dots, and the expression quotes it.
_SECRET_ID = re.compile(r"^[A-Za-z0-9/_+=@:,-]+$")
_JSON_KEY = re.compile(r"^[A-Za-z0-9_]+$")


def secret_lookup(secret_id: str, key: str, region: str, endpoint_url: str = "") -> str:
    """The Jinja expression that reads one key of a JSON secret when the file that holds it is used."""
    if not isinstance(secret_id, str) or not _SECRET_ID.match(secret_id):
        raise AnsibleFilterError(f"secret_lookup: not a Secrets Manager ARN or name: {secret_id!r}")
    if not isinstance(key, str) or not _JSON_KEY.match(key):
        raise AnsibleFilterError(f"secret_lookup: not a key of the secret's JSON value: {key!r}")
    options = f", region='{region}'" if region else ""
    if endpoint_url:
        options += f", endpoint_url='{endpoint_url}'"
    return ("{{ lookup('amazon.aws.secretsmanager_secret', '" + f"{secret_id}.{key}', nested=true{options})" + " }}")


def handoff_secrets(references: Mapping[str, Any], mode: str, region: str = "", endpoint_url: str = "",
                    values: list[str] | None = None) -> dict[str, Any]:
    """What the hand-off files write for each password: {name: lookup expression} or {name: {"__vault__": text}}.

    ``references`` maps a name to {"secret_id", "key"}; in vault mode ``values`` holds the secrets' JSON strings in
    the same order.
    """
    if mode == "lookup":
        return {name: secret_lookup(ref["secret_id"], ref["key"], region, endpoint_url)
                for name, ref in references.items()}
    if mode != "vault":
        raise AnsibleFilterError(f"handoff_secrets: mode must be lookup or vault, not {mode!r}")
    if values is None or len(values) != len(references):
        raise AnsibleFilterError("handoff_secrets: vault mode needs one secret value per reference")
    found = {}
    for (name, ref), value in zip(references.items(), values, strict=True):
        try:
            found[name] = {VAULT_MARKER: str(json.loads(value)[ref["key"]])}
        except (ValueError, KeyError, TypeError) as error:
            # The error names the secret and the key, never the value.
            raise AnsibleFilterError(f"handoff_secrets: secret {ref['secret_id']} has no JSON key {ref['key']}: "
                                     f"{type(error).__name__}") from None
    return found


class _VaultText(str):
    """Ciphertext to write as an inline !vault value."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        # Lists indented under their key, as yamllint's default and ansible-lint expect.
        return super().increase_indent(flow, False)


def _represent_vault(dumper: yaml.SafeDumper, data: _VaultText) -> yaml.ScalarNode:
    return dumper.represent_scalar("!vault", str(data), style="|")


_Dumper.add_representer(_VaultText, _represent_vault)


class _PreviousLoader(yaml.SafeLoader):
    """Reads a file this filter wrote, keeping each !vault value's ciphertext."""


_PreviousLoader.add_constructor("!vault", lambda loader, node: _VaultText(loader.construct_scalar(node)))


class _Vault:
    def __init__(self, password: str, vault_id: str) -> None:
        if not password:
            raise AnsibleFilterError("handoff_yaml: a value to vault, and no vault password (see "
                                     "data_services_handoff_vault_password_file)")
        self.vault_id = vault_id or "default"
        self.lib = VaultLib([(self.vault_id, VaultSecret(to_bytes(password)))])

    def encrypt(self, plaintext: str, previous: Any) -> _VaultText:
        # ansible-vault salts every encryption: keep the previous ciphertext while it still holds the same text, so
        # that a run changing nothing rewrites nothing.
        if isinstance(previous, _VaultText):
            try:
                if to_text(self.lib.decrypt(str(previous))) == plaintext:
                    return previous
            except AnsibleVaultError:
                pass
        return _VaultText(to_text(self.lib.encrypt(to_text(plaintext), vault_id=self.vault_id)).strip())


def _prepare(value: Any, previous: Any, vault: _Vault | None, path: str) -> Any:
    if isinstance(value, Mapping):
        if set(value) == {VAULT_MARKER}:
            if vault is None:
                raise AnsibleFilterError(f"handoff_yaml: {path} is to be vaulted, and no vault password was given")
            return vault.encrypt(to_text(value[VAULT_MARKER]), previous)
        before = previous if isinstance(previous, Mapping) else {}
        return {str(key): _prepare(item, before.get(str(key)), vault, f"{path}.{key}")
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        before = previous if isinstance(previous, list) else []
        return [_prepare(item, before[index] if index < len(before) else None, vault, f"{path}[{index}]")
                for index, item in enumerate(value)]
    if isinstance(value, str):
        text = str(value)
        return _VaultText(text.strip()) if text.startswith(VAULT_HEADER) else text
    # Templated values may be subclasses of the builtin types, which yaml's SafeDumper does not know.
    for native in (bool, int, float):
        if isinstance(value, native):
            return native(value)
    return value


def handoff_yaml(data: Any, vault_password: str = "", vault_id: str = "", previous: str = "") -> str:
    """YAML for a hand-off file: values marked {"__vault__": text} become inline !vault values."""
    try:
        before = yaml.load(previous, Loader=_PreviousLoader) if previous else None
    except yaml.YAMLError:
        before = None
    vault = _Vault(vault_password, vault_id) if vault_password else None
    prepared = _prepare(data, before, vault, "")
    return yaml.dump(prepared, Dumper=_Dumper, default_flow_style=False, sort_keys=False, allow_unicode=True,
                     width=1000, explicit_start=True)


class FilterModule:
    def filters(self):
        return {"handoff_yaml": handoff_yaml, "handoff_secrets": handoff_secrets}
