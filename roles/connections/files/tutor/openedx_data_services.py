"""Tutor plugin openedx_data_services: what Tutor has no setting for when Open edX uses the AWS data services.

- DocumentDB: TLS verified against the CA bundle, no retryable writes (DocumentDB has none), replica set ``rs0`` and
  a read preference, for the modulestore, the contentstore and the forum.
- ElastiCache Redis: TLS (``rediss://``) with certificate verification for the Django caches, the Celery broker and
  the event bus.
- RDS MySQL: TLS verified against the CA bundle.
- The CA bundle itself, rendered into ``apps/openedx/config/`` which Tutor mounts at ``/openedx/config`` (local) and
  puts in the ``openedx-config`` ConfigMap (k8s).

Written by the openedx.data_services collection next to ``openedx_data_services/values.json`` (the values generated
from the environment's services); neither holds a secret: passwords come from Tutor's own settings.
"""

from __future__ import annotations

import json
import os

from tutor import hooks

NAME = "openedx_data_services"
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), NAME)
with open(os.path.join(HERE, "values.json"), encoding="utf-8") as values_file:
    VALUES = json.load(values_file)

# A ConfigMap key and a compose bind mount both take the file as it is: Jinja must not touch the certificates.
CA_TEMPLATE = VALUES["ca_template"]

MONGODB = """
# openedx_data_services: DocumentDB takes TLS with its CA, no retryable writes and the replica set rs0.
DOC_STORE_CONFIG.pop("ssl", None)
DOC_STORE_CONFIG.update({
    "tls": True,
    "tlsCAFile": %(ca)r,
    "retryWrites": False,
    "replicaSet": "{{ MONGODB_REPLICA_SET }}",
    "read_preference": %(read_preference)r,
})
update_module_store_settings(MODULESTORE, doc_store_settings=DOC_STORE_CONFIG)
CONTENTSTORE["DOC_STORE_CONFIG"] = DOC_STORE_CONFIG
FORUM_MONGODB_CLIENT_PARAMETERS = {
    "host": DOC_STORE_CONFIG["host"],
    "port": DOC_STORE_CONFIG["port"],
    "username": DOC_STORE_CONFIG["user"],
    "password": DOC_STORE_CONFIG["password"],
    "authSource": "{{ MONGODB_AUTH_SOURCE }}",
    {%% if MONGODB_AUTH_MECHANISM %%}"authMechanism": "{{ MONGODB_AUTH_MECHANISM }}",{%% endif %%}
    "replicaSet": "{{ MONGODB_REPLICA_SET }}",
    "tls": True,
    "tlsCAFile": %(ca)r,
    "retryWrites": False,
    "readPreference": %(forum_read_preference)r,
}
"""

# The token goes in URLs: quoted, as ElastiCache allows characters such as # and & in it.
REDIS = """
# openedx_data_services: ElastiCache Redis takes TLS only; the server's certificate is verified.
DATA_SERVICES_REDIS_URL = (
    "rediss://{{ REDIS_USERNAME|urlencode }}:{{ REDIS_PASSWORD|urlencode }}@{{ REDIS_HOST }}:{{ REDIS_PORT }}"
)
DATA_SERVICES_REDIS_TLS = {"ssl_cert_reqs": "required", "ssl_check_hostname": True%(redis_ca_option)s}
for _cache in CACHES.values():
    if _cache["BACKEND"] == "django_redis.cache.RedisCache":
        _cache["LOCATION"] = DATA_SERVICES_REDIS_URL + "/{{ OPENEDX_CACHE_REDIS_DB }}"
        _cache.setdefault("OPTIONS", {}).setdefault("CONNECTION_POOL_KWARGS", {}).update(DATA_SERVICES_REDIS_TLS)
CELERY_BROKER_TRANSPORT = "rediss"
BROKER_URL = DATA_SERVICES_REDIS_URL + "/{{ OPENEDX_CELERY_REDIS_DB }}"
BROKER_USE_SSL = {"ssl_cert_reqs": ssl.CERT_REQUIRED%(redis_ca_option)s}
CELERY_REDIS_BACKEND_USE_SSL = BROKER_USE_SSL
EVENT_BUS_REDIS_CONNECTION_URL = DATA_SERVICES_REDIS_URL + "/?" + urllib.parse.urlencode(DATA_SERVICES_REDIS_TLS)
"""

MYSQL = """
# openedx_data_services: RDS MySQL requires TLS; the server's certificate is verified against the CA.
for _database in DATABASES.values():
    _database.setdefault("OPTIONS", {})["ssl"] = {"ca": %(ca)r}
"""


def settings(service: str) -> str:
    """The settings block of the LMS or the CMS: after Tutor's common settings and the forum plugin's."""
    redis_ca = VALUES["redis_ca_path"]
    values = {
        "ca": VALUES["ca_path"],
        "read_preference": VALUES["read_preference"][service],
        "forum_read_preference": VALUES["read_preference"]["forum"],
        "redis_ca_option": f', "ssl_ca_certs": {redis_ca!r}' if redis_ca else "",
    }
    parts = ["import ssl\nimport urllib.parse\n"]
    parts += [f"{{% if not {run} %}}{block % values}{{% endif %}}"
              for run, block in (("RUN_MONGODB", MONGODB), ("RUN_REDIS", REDIS), ("RUN_MYSQL", MYSQL))]
    return "".join(parts)


hooks.Filters.ENV_PATCHES.add_items([
    ("openedx-lms-common-settings", settings("lms")),
    ("openedx-cms-common-settings", settings("cms")),
])

if CA_TEMPLATE:
    hooks.Filters.ENV_TEMPLATE_ROOTS.add_item(os.path.join(HERE, "templates"))

    @hooks.Filters.IS_FILE_RENDERED.add()
    def _copy_the_ca_as_it_is(result: bool, path: str) -> bool:
        return result and path != CA_TEMPLATE
