"""CloudWatch Logs: the log group calls moto 5.2.5 lacks or takes too readily.

- AssociateKmsKey (missing in moto): the group's events are encrypted with the key from then on, and
  DescribeLogGroups reports it as ``kmsKeyId``;
- PutRetentionPolicy: AWS refuses a number of days outside the values of its ``Days`` type; moto stores any.
"""

from __future__ import annotations

from moto.logs.exceptions import InvalidParameterException, ResourceNotFoundException
from moto.logs.responses import LogsResponse

from sandbox.services import Hooks, methods, original

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
                  3653)


def associate_kms_key(self: LogsResponse) -> str:
    group = self.logs_backend.groups.get(self._get_param("logGroupName"))
    if group is None:
        raise ResourceNotFoundException()
    group.kms_key_id = self._get_param("kmsKeyId")
    return ""


def put_retention_policy(self: LogsResponse) -> str:
    days = self._get_param("retentionInDays")
    if days not in RETENTION_DAYS:
        raise InvalidParameterException(
            constraint=f"Member must satisfy enum value set: [{', '.join(map(str, RETENTION_DAYS))}]",
            parameter="retentionInDays", value=days)
    return original(put_retention_policy)(self)


HOOKS = Hooks(methods(LogsResponse, associate_kms_key, put_retention_policy))
