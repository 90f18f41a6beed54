"""The harness's fixtures, for every component test."""

from harness import (  # noqa: F401  pylint: disable=unused-import
    aws,
    calls,
    docdb_aws,
    elasticache_aws,
    logs_aws,
    moto,
    opensearch_aws,
    rds_aws,
    security_connection,
    security_server,
    sigv4_security,
)
