# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jinja tests on IPv4 networks, used to refuse sources wider than the VPC."""

from __future__ import annotations

import ipaddress


def ipv4_network(value) -> bool:
    """True for an IPv4 network in CIDR notation with no host bits set (``10.0.0.0/16``)."""
    try:
        ipaddress.IPv4Network(str(value), strict=True)
    except ValueError:
        return False
    return "/" in str(value)


def cidr_within(value, networks) -> bool:
    """True when the IPv4 CIDR ``value`` lies entirely inside one of ``networks``."""
    if not ipv4_network(value):
        return False
    candidate = ipaddress.IPv4Network(str(value))
    for network in networks or []:
        try:
            if candidate.subnet_of(ipaddress.IPv4Network(str(network), strict=False)):
                return True
        except ValueError:
            continue
    return False


class TestModule:
    def tests(self):
        return {"ipv4_network": ipv4_network, "cidr_within": cidr_within}
