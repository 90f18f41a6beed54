# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jinja test for passwords the AWS data services accept and that are not trivially weak."""

from __future__ import annotations

import re

# Printable ASCII less / @ " ' and space: the characters RDS, DocumentDB and ElastiCache all accept.
_ALLOWED = re.compile(r"^[A-Za-z0-9!#$%&()*+,.:;<=>?\[\]^_`{|}~-]+$")


def strong_password(value, min_length: int = 16, max_length: int = 41) -> bool:
    """True for min_length..max_length allowed characters with a lower case letter, an upper case letter and a digit."""
    if not isinstance(value, str) or not min_length <= len(value) <= max_length:
        return False
    return bool(
        _ALLOWED.match(value)
        and re.search(r"[a-z]", value)
        and re.search(r"[A-Z]", value)
        and re.search(r"[0-9]", value)
    )


class TestModule:
    def tests(self):
        return {"strong_password": strong_password}
