"""Local stand-in for the AWS services the collection drives.

Control plane: a moto server on 127.0.0.1:4566, extended by one package per service in
``sandbox.services`` where moto lacks what the collection uses. Data plane: real MariaDB and Redis servers,
an OpenSearch security API and a MongoDB wire-protocol server per DocumentDB cluster (``sandbox.dataplane``)
behind the endpoints the control plane reports. RDS MySQL snapshots copy their MariaDB and restores start a new one
from the copy (``sandbox.services.rds.backups``, which says how close a point-in-time restore gets).
``sandbox.lifecycle`` keeps resources in their transitional states for the simulated time AWS would take.
"""
