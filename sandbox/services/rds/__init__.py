"""RDS: simulated time, real MariaDB endpoints, and what moto gets wrong for amazon.aws.rds_instance.

* Instances, clusters and snapshots pass through ``creating``/``modifying``/``deleting`` for the
  scaled AWS durations of ``sandbox.lifecycle`` (and until their MariaDB answers); deleted resources
  stay visible as ``deleting`` and then disappear, as on AWS.
* MySQL/MariaDB instances and Aurora MySQL clusters get a real MariaDB (``sandbox.dataplane.mariadb``)
  and report it as their endpoint; master password and parameter group changes reach the server.
* Parameter groups refuse what AWS refuses (unknown, unmodifiable and out-of-range parameters, ``immediate``
  for a static parameter, more than 20 parameters a request); an instance whose group changed with
  ``pending-reboot`` (or that got another group) reports ``ParameterApplyStatus: pending-reboot`` until it
  reboots. DescribeDBParameters and DescribeEngineDefaultParameters page by MaxRecords and Marker.
* MySQL/MariaDB snapshots and automated backups hold a real copy of the instance's data, and restores from a
  snapshot or to a point in time start a new MariaDB from it (``backups``; its docstring says how close a
  point-in-time restore gets). DBSnapshotNotFound carries AWS's code (moto's ends in ``Fault``).
* MySQL read replicas, in the source's region or another, replicate from the source's server for real and
  promote (``replicas``).
* Describe output carries the fields amazon.aws compares for idempotence (Performance Insights, gp3
  IOPS/throughput, pending modifications, subnet group, a unique DbiResourceId, engine default parameters
  from the catalogue in ``data/``).
"""

from __future__ import annotations

from moto.rds import utils as rds_utils
from moto.rds.exceptions import DBSnapshotNotFoundFault
from moto.rds.models import (
    DBCluster,
    DBClusterSnapshot,
    DBInstance,
    DBInstanceAutomatedBackup,
    DBSnapshot,
    RDSBackend,
)
from moto.rds.responses import RDSResponse

from sandbox.services import Hooks, methods, replace
from sandbox.services.rds import backend, backups, handlers, models, parameters, replicas

HOOKS = Hooks(
    [replace(cls, "status", models.STATUS) for cls in (DBInstance, DBCluster, DBSnapshot, DBClusterSnapshot)],
    replace(rds_utils, "get_overlap_between_two_date_ranges", models.window_overlap),
    replace(DBInstance, "endpoint", property(models.instance_endpoint)),
    replace(DBInstance, "address", property(models.instance_address)),
    replace(DBInstance, "db_instance_port", property(models.instance_port)),
    replace(DBInstance, "pending_modified_values", property(models.pending_modified_values)),
    replace(DBInstance, "certificate_details", property(models.certificate_details)),
    replace(DBInstance, "status_infos", property(replicas.status_infos)),
    methods(DBInstance, replicas.remove_replica),
    replace(DBInstance, "db_parameter_group_status_list", property(parameters.parameter_group_status)),
    replace(DBSnapshot, "percent_progress", property(models.snapshot_progress)),
    replace(DBClusterSnapshot, "percent_progress", property(models.snapshot_progress, lambda self, value: None)),
    replace(DBCluster, "endpoint", property(models.cluster_endpoint)),
    replace(DBCluster, "reader_endpoint", property(models.cluster_reader_endpoint)),
    replace(DBCluster, "designate_writer", models.designate_writer),
    replace(DBInstance, "latest_restorable_time", property(backups.latest_restorable_time)),
    replace(DBSnapshotNotFoundFault, "__init__", backups.snapshot_not_found_init),
    replace(DBInstanceAutomatedBackup, "__getattr__", backups.automated_backup_attribute),
    replace(DBInstanceAutomatedBackup, "restore_window", property(backups.automated_backup_restore_window)),
    replace(DBInstanceAutomatedBackup, "encrypted", property(backups.automated_backup_encrypted)),
    replace(DBInstanceAutomatedBackup, "db_instance_automated_backups_arn", property(backups.automated_backup_arn)),
    methods(RDSBackend, backend.create_db_instance, replicas.create_db_instance_read_replica,
            replicas.promote_read_replica,
            backend.modify_db_instance, backend.reboot_db_instance, backend.stop_db_instance,
            backend.start_db_instance, backend.delete_db_instance, backups.create_db_snapshot,
            backups.delete_db_snapshot, backups.copy_db_snapshot, backups.restore_db_instance_from_db_snapshot,
            backups.restore_db_instance_to_point_in_time, backend.create_db_cluster_snapshot,
            backend.create_db_cluster, backend.modify_db_cluster, backend.delete_db_cluster,
            parameters.describe_db_parameter_groups, parameters.modify_db_parameter_group),
    methods(RDSResponse, handlers.call_action, handlers.create_db_snapshot, handlers.create_db_cluster_snapshot,
            handlers.delete_db_cluster, handlers.describe_db_parameters, handlers.describe_engine_default_parameters,
            handlers.reset_db_parameter_group),
)
