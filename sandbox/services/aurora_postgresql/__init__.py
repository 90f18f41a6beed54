"""Aurora PostgreSQL (Serverless v2): the ``aurora-postgresql`` engine of moto's RDS backend, with a real server.

* Each cluster gets a real PostgreSQL (``sandbox.dataplane.postgresql``) with the cluster's master user; the
  cluster, its reader endpoint and its instances report that server's ``127.0.0.1:<port>``, the cluster stays
  ``creating`` until it answers, a new master password reaches it and deleting the cluster stops it.
* Cluster parameter groups of family ``aurora-postgresql16`` describe the engine defaults of the catalogue in
  ``data/`` and refuse what AWS refuses; ``rds.force_ssl`` reaches the server (hostssl only at 1), at once, as
  the parameter is dynamic.
* Serverless v2: ServerlessV2ScalingConfiguration is refused where AWS refuses it (outside 0-256 ACUs, not in
  steps of 0.5, a minimum above the maximum, a maximum under 1), and a ``db.serverless`` instance is refused in a
  cluster without one.
"""

from __future__ import annotations

from moto.rds.models import RDSBackend

from sandbox import lifecycle
from sandbox.services import Hooks, replace, wrap
from sandbox.services.aurora_postgresql import models
from sandbox.services.rds import models as rds_models
from sandbox.services.rds import parameters as rds_parameters

HOOKS = Hooks(
    replace(lifecycle.MINUTES, models.CLUSTER_KIND, 5),
    replace(lifecycle.MINUTES, models.INSTANCE_KIND, 6),
    replace(rds_models.CLUSTER_SERVERS, models.ENGINE, models.SERVERS),
    replace(rds_models.CLUSTER_ENDPOINTS, models.ENGINE, models.cluster_endpoints),
    replace(rds_models.INSTANCE_ENDPOINTS, models.ENGINE, models.instance_endpoint),
    replace(rds_models.CREATE_KINDS, models.ENGINE, models.INSTANCE_KIND),
    replace(rds_models.CLUSTER_CREATE_KINDS, models.ENGINE, models.CLUSTER_KIND),
    [replace(rds_parameters.CLUSTER_PARAMETER_CATALOGS, family, catalog)
     for family, catalog in models.CATALOGS.items()],
    wrap(RDSBackend, "create_db_cluster", models.checking_create_db_cluster),
    wrap(RDSBackend, "modify_db_cluster", models.checking_modify_db_cluster),
    wrap(RDSBackend, "create_db_instance", models.checking_create_db_instance),
    wrap(RDSBackend, "modify_db_cluster_parameter_group", models.applying_modify_db_cluster_parameter_group),
    requires=("rds", "docdb"),
)
