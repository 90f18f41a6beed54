# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build ec2_security_group ingress rules: every source on every port, nothing else."""

from __future__ import annotations


def ingress_rules(ports, group_ids=None, cidrs=None, description="") -> list[dict]:
    # One rule per port and source. Fewer rules of several ports each would spare ec2_security_group a describe of
    # the source group per rule in --diff runs, but its diff then shows each such rule with its last port only.
    rules = []
    for port in ports:
        for group_id in group_ids or []:
            rules.append({"proto": "tcp", "ports": [int(port)], "group_id": group_id, "rule_desc": description})
        for cidr in cidrs or []:
            rules.append({"proto": "tcp", "ports": [int(port)], "cidr_ip": cidr, "rule_desc": description})
    return rules


class FilterModule:
    def filters(self):
        return {"ingress_rules": ingress_rules}
