"""Local stand-in for the AWS services the collection drives.

Control plane: a moto server on 127.0.0.1:4566, extended by one package per service in
``sandbox.services`` where moto lacks what the collection uses. Data plane: real MariaDB and Redis servers,
an OpenSearch security API and a MongoDB wire-protocol server per DocumentDB cluster (``sandbox.dataplane``)
behind the endpoints the control plane reports.
``sandbox.lifecycle`` keeps resources in their transitional states for the simulated time AWS would take.
"""
