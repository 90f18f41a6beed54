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


def kept_ingress_rules(ip_permissions, description, ports) -> list[dict]:
    """The rules of a described group that another part of the collection added and marked with ``description``.

    Only security-group sources on the given TCP ports count, so that the mark alone can never keep a CIDR rule or a
    port the owner of the group did not plan for.
    """
    rules = []
    for permission in ip_permissions or []:
        port = permission.get("from_port")
        if permission.get("ip_protocol") != "tcp" or port != permission.get("to_port") or port not in ports:
            continue
        for pair in permission.get("user_id_group_pairs") or []:
            if pair.get("description") == description and pair.get("group_id"):
                rules.append({"proto": "tcp", "ports": [int(port)], "group_id": pair["group_id"],
                              "rule_desc": description})
    return rules


class FilterModule:
    def filters(self):
        return {"ingress_rules": ingress_rules, "kept_ingress_rules": kept_ingress_rules}
