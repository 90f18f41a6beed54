# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build ec2_security_group ingress rules: every source on every port, nothing else."""

from __future__ import annotations


def ingress_rules(ports, group_ids=None, cidrs=None, description="") -> list[dict]:
    """One rule per source, on every port: ec2_security_group expands the ports itself, and in check mode with
    --diff it describes the source group of each rule, so fewer rules mean fewer calls."""
    ports = [int(port) for port in ports]
    if not ports:
        return []
    rules = [{"proto": "tcp", "ports": list(ports), "group_id": group_id, "rule_desc": description}
             for group_id in group_ids or []]
    rules += [{"proto": "tcp", "ports": list(ports), "cidr_ip": cidr, "rule_desc": description} for cidr in cidrs or []]
    return rules


class FilterModule:
    def filters(self):
        return {"ingress_rules": ingress_rules}
