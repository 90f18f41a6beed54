"""DocumentDB: the ``docdb`` engine on moto's RDS backend, as AWS serves the boto3 ``docdb`` client.

DocumentDB shares the RDS API (signing name ``rds``); moto rejects the engine. This adds it: clusters
and instances with DocumentDB endpoints and port 27017, cluster parameter groups of family
``docdb5.0`` that describe AWS's engine defaults (the catalogue in ``data/``),
Reset/DescribeEngineDefaultClusterParameters, and the lifecycle durations ``docdb_cluster``/``docdb_instance``.
There is no DocumentDB data plane: the endpoints are the names AWS would report.
"""

from __future__ import annotations

from moto.rds.models import DBCluster, DBInstance, RDSBackend
from moto.rds.responses import RDSResponse
from moto.rds.utils import ClusterEngine, DbInstanceEngine

from sandbox.services import Hooks, methods, replace, wrap
from sandbox.services.docdb import backend, handlers, models
from sandbox.services.rds import models as rds_models
from sandbox.services.rds import parameters as rds_parameters

HOOKS = Hooks(
    wrap(ClusterEngine, "list_cluster_engines", models.with_docdb),
    wrap(DbInstanceEngine, "valid_db_instance_engine", models.with_docdb),
    wrap(DBCluster, "default_engine_version", models.docdb_default(models.DEFAULT_VERSION)),
    wrap(DBCluster, "default_port", models.docdb_default(models.PORT)),
    wrap(DBCluster, "default_allocated_storage", models.docdb_default(1)),
    wrap(DBInstance, "default_port", models.docdb_default(models.PORT)),
    replace(rds_models.CLUSTER_ENDPOINTS, models.ENGINE, models.cluster_endpoints),
    replace(rds_models.INSTANCE_ENDPOINTS, models.ENGINE, models.instance_endpoint),
    replace(rds_models.CREATE_KINDS, models.ENGINE, "docdb_instance"),
    replace(rds_models.CLUSTER_CREATE_KINDS, models.ENGINE, "docdb_cluster"),
    [replace(rds_parameters.CLUSTER_PARAMETER_CATALOGS, family, models.PARAMETERS) for family in models.FAMILIES],
    methods(RDSBackend, backend.create_db_cluster, backend.modify_db_cluster,
            backend.describe_db_cluster_parameter_groups, backend.modify_db_cluster_parameter_group,
            backend.delete_db_cluster_parameter_group),
    methods(RDSResponse, handlers.describe_db_cluster_parameters, handlers.reset_db_cluster_parameter_group,
            handlers.describe_engine_default_cluster_parameters),
    requires=("rds",),
)
