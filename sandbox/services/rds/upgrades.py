"""What AWS refuses when an instance or cluster is scaled or upgraded in place, which moto accepts.

* Storage (``ModifyDBInstance`` ``AllocatedStorage``): it never shrinks, and it grows by at least 10 % (Amazon RDS
  User Guide, "Increasing DB instance storage capacity").
* Engine versions (``ModifyDBInstance``/``ModifyDBCluster`` ``EngineVersion``): never down; a new major version only
  along a path AWS supports in place (RDS for MySQL 5.7 -> 8.0 -> 8.4, one at a time; DocumentDB 3.6 and 4.0 -> 5.0,
  5.0 -> 8.0), only with ``AllowMajorVersionUpgrade``, and only with a parameter group of the new version's family
  named in the same request (else AWS answers that the current group does not fit the target version).

The messages are AWS's where known; the codes are the ones AWS gives (InvalidParameterCombination).
"""

from __future__ import annotations

from typing import Any

from moto.rds.exceptions import InvalidParameterCombination

# Major version -> the major versions AWS upgrades it to in place.
MAJOR_UPGRADES: dict[str, dict[str, tuple[str, ...]]] = {
    "mysql": {"5.7": ("8.0",), "8.0": ("8.4",), "8.4": ()},
    "docdb": {"3.6": ("5.0",), "4.0": ("5.0",), "5.0": ("8.0",), "8.0": ()},
}


def major(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


def family_of(engine: str, version: str) -> str:
    """The parameter group family of ``version``: mysql8.4, docdb5.0."""
    return f"{engine}{major(version)}"


def storage_problem(current: int | None, requested: int | None) -> str | None:
    """Why AWS refuses to take an instance from ``current`` to ``requested`` GiB, or None."""
    if current is None or requested is None or int(requested) == int(current):
        return None
    if int(requested) < int(current):
        return (f"Invalid storage size for engine: allocated storage cannot be decreased (from {current} GiB to "
                f"{requested} GiB).")
    if int(requested) * 10 < int(current) * 11:
        return (f"Invalid storage size: the allocated storage must be increased by at least 10 percent (from "
                f"{current} GiB, at least {-(-int(current) * 11 // 10)} GiB; got {requested} GiB).")
    return None


def engine_upgrade_problem(engine: str, current: str, target: str, allow_major: bool,
                           target_group_family: str | None) -> str | None:
    """Why AWS refuses to move ``engine`` from ``current`` to ``target`` in place, or None.

    ``target_group_family`` is the family of the parameter group the instance or cluster will have (the one in the
    request, else its current one).
    """
    if not current or not target or target == current:
        return None
    paths = MAJOR_UPGRADES.get(engine)
    if paths is None:
        return None
    if _key(target) < _key(current):
        return f"Cannot upgrade {engine} from {current} to {target}"
    if major(target) == major(current):
        return None
    if major(target) not in paths.get(major(current), ()):
        return f"Cannot upgrade {engine} from {current} to {target}"
    if not allow_major:
        return ("The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version.")
    if target_group_family is not None and target_group_family != family_of(engine, target):
        return (f"The current DB parameter group (family {target_group_family}) is not compatible with the target "
                f"engine version {target}: specify a parameter group of family {family_of(engine, target)}.")
    return None


def check(problem: str | None) -> None:
    if problem:
        raise InvalidParameterCombination(problem)


def group_family(groups: dict[str, Any], name: str | None) -> str | None:
    """The family of the (cluster) parameter group ``name`` in moto's ``groups``, or None when unknown."""
    if not name:
        return None
    group = groups.get(name) or groups.get(name.lower())
    if group is None and name.startswith("default."):
        return name[len("default."):]
    return getattr(group, "family", None) or getattr(group, "db_parameter_group_family", None)
