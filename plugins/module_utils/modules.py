# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's AnsibleAWSModule: amazon.aws behaviour, with this collection in the user agent."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.common import set_collection_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.openedx.data_services.plugins.module_utils.common import (
    COLLECTION_NAME,
    COLLECTION_VERSION,
)


class DataServicesAWSModule(AnsibleAWSModule):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        set_collection_info(collection_name=COLLECTION_NAME, collection_version=COLLECTION_VERSION)
