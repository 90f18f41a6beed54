"""Amazon OpenSearch Service domains as the collection relies on them, on top of moto's thin model.

moto 5.2.5 creates domains instantly, validates nothing, reports a made-up endpoint, returns a
DescribeDomainConfig without the shapes AWS uses, and treats every UpdateDomainConfig the same. This service
replaces the OpenSearch API (``/2021-01-01/opensearch/...``, the boto3 ``opensearch`` client) with domains
that:

- are validated the way AWS validates what an Open edX platform uses (engine version, instance types,
  zone awareness against the VPC subnets, dedicated masters, gp3 volumes, encryption at rest with an
  existing KMS key, fine-grained access control and what it requires, log publishing to log groups whose
  resource policy lets ``es.amazonaws.com`` write), against the catalogue in ``data/``;
- stay ``Processing`` (``DomainProcessingStatus`` ``Creating``) without endpoint for the simulated creation
  time (``opensearch_domain``, plus ``opensearch_dedicated_masters`` with dedicated masters), then report
  ``Endpoints.vpc`` (``Endpoint`` for a public domain) ``localhost:<port>``, where a real HTTPS security API
  answers (``sandbox.dataplane.opensearch``) the master user of the internal user database, or the IAM master
  (``MasterUserARN``) and other IAM principals in SigV4-signed requests it verifies;
- apply UpdateDomainConfig like AWS: nothing to change is a no-op, a blue/green change processes for
  ``modify`` minutes, an in-place one (access policy, logs, master user...) for ``modify_dynamic``; a new
  master password or master ARN reaches the security API;
- upgrade engines like UpgradeDomain: only along the documented upgrade paths (GetCompatibleVersions answers for
  the domain), processing for ``upgrade`` minutes (``UpgradeProcessing``), the documents kept, ``/`` reporting the
  new version afterwards; a cluster change (instance count...) reaches ``/_cluster/health`` with the documents kept;
- take automated snapshots as the service does for OpenSearch: hourly from the moment the domain became active,
  the last 336 kept, listed by the domain's ``GET /_snapshot/cs-automated-enc/_all`` (``cs-automated`` without
  encryption at rest).

The legacy Elasticsearch API (``/2015-01-01/es/...``, the boto3 ``es`` client) stays moto's: neither
community.aws nor this collection uses it.
"""

from __future__ import annotations

from moto.es import urls as es_urls
from moto.opensearch.models import OpenSearchServiceBackend
from moto.opensearch.responses import OpenSearchServiceResponse

from sandbox.services import Hooks, methods, replace
from sandbox.services.opensearch import handlers, models

HOOKS = Hooks(
    methods(OpenSearchServiceResponse, handlers.create_domain, handlers.describe_domain, handlers.describe_domains,
            handlers.describe_domain_config, handlers.update_domain_config, handlers.delete_domain,
            handlers.get_compatible_versions, handlers.upgrade_domain, handlers.get_upgrade_status),
    replace(OpenSearchServiceBackend, "reset", models.reset),
    # moto routes no UpgradeDomain (POST .../upgradeDomain) nor GetUpgradeStatus (GET .../upgradeDomain/<d>/status).
    replace(es_urls.url_paths, "{0}/2021-01-01/opensearch/upgradeDomain$", OpenSearchServiceResponse.dispatch),
    replace(es_urls.url_paths, "{0}/2021-01-01/opensearch/upgradeDomain/(?P<domainname>[^/]+)/status$",
            OpenSearchServiceResponse.dispatch),
)
