# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

COLLECTION_NAME = "openedx.data_services"
# Keep in step with galaxy.yml.
COLLECTION_VERSION = "0.1.0"
