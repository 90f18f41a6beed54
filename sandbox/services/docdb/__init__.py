"""DocumentDB: the ``docdb`` engine on moto's RDS backend, as AWS serves the boto3 ``docdb`` client.

DocumentDB shares the RDS API (signing name ``rds``); moto rejects the engine. This adds it: clusters
and instances, cluster parameter groups of family ``docdb5.0`` that describe AWS's engine defaults (the
catalogue in ``data/``; ``docdb4.0`` and ``docdb8.0`` get a copy of it),
Reset/DescribeEngineDefaultClusterParameters, and the lifecycle durations
``docdb_cluster``/``docdb_instance``. Each cluster gets a server (``sandbox.dataplane.documentdb``) that
pymongo reaches over TLS with the master user; the cluster, its reader endpoint and its instances report that
server's ``127.0.0.1:<port>``, the cluster stays ``creating`` until it answers, a new master password reaches
it, and deleting the cluster stops it. Cluster snapshots hold the server's data, and RestoreDBClusterFromSnapshot
and RestoreDBClusterToPointInTime start new clusters from it (``restore``); EarliestRestorableTime follows the
backup retention period.
"""

from __future__ import annotations

from moto.rds.models import DBCluster, DBInstance, RDSBackend
from moto.rds.responses import RDSResponse
from moto.rds.utils import ClusterEngine, DbInstanceEngine

from sandbox.services import Hooks, methods, replace, wrap
from sandbox.services.docdb import backend, handlers, models, restore
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
    replace(rds_models.CLUSTER_SERVERS, models.ENGINE, models.SERVERS),
    [replace(rds_parameters.CLUSTER_PARAMETER_CATALOGS, family, models.PARAMETERS) for family in models.FAMILIES],
    [replace(rds_parameters.CLUSTER_PARAMETER_CATALOGS, family, catalog)
     for family, catalog in models.OTHER_FAMILIES.items()],
    methods(RDSBackend, backend.create_db_cluster, backend.modify_db_cluster,
            backend.describe_db_cluster_parameter_groups, backend.modify_db_cluster_parameter_group,
            backend.delete_db_cluster_parameter_group),
    methods(RDSResponse, handlers.describe_db_cluster_parameters, handlers.reset_db_cluster_parameter_group,
            handlers.describe_engine_default_cluster_parameters),
    wrap(RDSBackend, "create_db_cluster_snapshot", restore.with_data),
    methods(RDSBackend, restore.delete_db_cluster_snapshot, restore.copy_db_cluster_snapshot,
            restore.restore_db_cluster_from_snapshot, restore.restore_db_cluster_to_point_in_time),
    replace(DBCluster, "earliest_restorable_time", restore.EARLIEST_RESTORABLE_TIME),
    requires=("rds",),
)
