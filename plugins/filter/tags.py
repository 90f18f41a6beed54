# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What AWS refuses in a dict of resource tags, found before any call: RDS, DocumentDB, IAM and CloudWatch Logs check
tags only when the resource is tagged, after the run has already made other resources."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from typing import Any

MAX_VALUE_LENGTH = 256
# Besides \p{L}, \p{Z} and \p{N}, the punctuation of AWS's tag pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$.
_PUNCTUATION = frozenset("_.:/=+-@")


def _quote(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _allowed(character: str) -> bool:
    # isalnum() is \p{L} and \p{N}; the Z categories are the separators (spaces of every script, not tabs or newlines).
    return character.isalnum() or unicodedata.category(character).startswith("Z") or character in _PUNCTUATION


def _problems(text: str, max_length: int, min_length: int, reserved: list[str]) -> list[str]:
    found = []
    if not min_length <= len(text) <= max_length:
        found.append(f"{len(text)} characters, not {min_length}-{max_length}")
    refused = sorted({character for character in text if not _allowed(character)})
    if refused:
        found.append("characters AWS refuses: " + " ".join(_quote(character) for character in refused))
    prefix = next((prefix for prefix in reserved if text.lower().startswith(prefix.lower())), None)
    if prefix:
        found.append(f"starts with {text[:len(prefix)]} ({prefix} is reserved in any case)")
    return found


def tag_errors(tags, max_key_length: int = 128, reserved: list[str] | None = None) -> list[str]:
    """One line per problem AWS would refuse, naming the tag; empty when every tag is acceptable."""
    if not isinstance(tags, Mapping):
        return [f"not a dict of tags: {_quote(tags)}"]
    reserved = ["aws:"] if reserved is None else list(reserved)
    errors = []
    for key, value in tags.items():
        if not isinstance(key, str):
            errors.append(f"key {_quote(key)}: not a string (quote it)")
            continue
        errors += [f"key {_quote(key)}: {problem}" for problem in _problems(key, max_key_length, 1, reserved)]
        if not isinstance(value, str):
            # opensearch_domain sends tag values as they are, and botocore refuses a number or a boolean.
            errors.append(f"value of {_quote(key)}: {_quote(value)} is not a string (quote it)")
            continue
        errors += [f"value of {_quote(key)}: {problem}"
                   for problem in _problems(value, MAX_VALUE_LENGTH, 0, reserved)]
    return errors


class FilterModule:
    def filters(self):
        return {"tag_errors": tag_errors}
