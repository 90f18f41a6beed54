"""KMS: ScheduleKeyDeletion as AWS answers it (moto 5.2.5 fails with a 500 on a key ARN).

- the key may be named by its ID or its ARN (AWS takes both; moto only the ID);
- ``PendingWindowInDays`` outside 7-30 is a ``ValidationException`` (moto returns no date);
- a key already pending deletion is a ``KMSInvalidStateException``;
- the answer names the key by its ARN, with ``KeyState`` and ``PendingWindowInDays``, as AWS's does.
"""

from __future__ import annotations

import json

from moto.core.exceptions import JsonRESTError
from moto.kms.exceptions import ValidationException
from moto.kms.responses import KmsResponse

from sandbox.services import Hooks, methods

PENDING_WINDOW_DAYS = (7, 30)


class KMSInvalidStateException(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("KMSInvalidStateException", message)


def schedule_key_deletion(self: KmsResponse) -> str:
    key_id = self._get_param("KeyId")
    days = self._get_param("PendingWindowInDays")
    days = 30 if days is None else int(days)
    self._validate_cmk_id(key_id)
    if not PENDING_WINDOW_DAYS[0] <= days <= PENDING_WINDOW_DAYS[1]:
        raise ValidationException(
            f"1 validation error detected: Value '{days}' at 'pendingWindowInDays' failed to satisfy constraint: "
            "Member must have value less than or equal to 30 and greater than or equal to 7")
    backend = self.kms_backend
    key = backend.keys[backend.any_id_to_key_id(key_id)]
    if key.key_state == "PendingDeletion":
        raise KMSInvalidStateException(f"{key.arn} is pending deletion.")
    deletion_date = backend.schedule_key_deletion(key.id, days)
    return json.dumps({"KeyId": key.arn, "DeletionDate": deletion_date, "KeyState": "PendingDeletion",
                       "PendingWindowInDays": days})


HOOKS = Hooks(methods(KmsResponse, schedule_key_deletion))
