# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's AnsibleAWSModule: amazon.aws behaviour, this collection in the user agent, one retry layer.

Retries: botocore's own ``standard`` retry mode, and nothing on top of it.

The playbooks set ``module_defaults: {aws_config: {retries: {mode: standard, max_attempts: N}}}`` for every AWS
module, because stock amazon.aws modules (``kms_key``...) only retry through botocore. Wrapping our calls in
``AWSRetry.jittered_backoff`` as well made the two layers multiply (10 botocore attempts inside each of 10
AWSRetry attempts: up to 100 requests for one call, and minutes of backoff before a real error surfaced).
botocore's layer is the one kept because it is the one that sees every request: plain calls, paginators and the
describe calls of waiters alike, with exponential backoff, jitter and a client-wide retry quota, and it is
configured the same way for our modules and amazon.aws's. When the task gives no ``aws_config.retries``,
``client()`` asks for standard mode with 10 attempts, so a module run outside the playbooks retries as well; a
task's own ``aws_config`` wins.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.common import set_collection_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.openedx.data_services.plugins.module_utils.common import (
    COLLECTION_NAME,
    COLLECTION_VERSION,
)

DEFAULT_RETRIES = {"mode": "standard", "max_attempts": 10}


class DataServicesAWSModule(AnsibleAWSModule):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        set_collection_info(collection_name=COLLECTION_NAME, collection_version=COLLECTION_VERSION)

    def client(self, service: str, retry_decorator: Any = None, **extra_params: Any) -> Any:
        """A boto3 client retrying with botocore's standard mode (see the module docstring).

        ``retry_decorator`` is only passed on for modules not yet moved to the single layer; this collection's
        resource modules never give one.
        """
        # Merged under the task's aws_config, which therefore overrides it.
        extra_params.setdefault("config", {"retries": dict(DEFAULT_RETRIES)})
        return super().client(service, retry_decorator=retry_decorator, **extra_params)
