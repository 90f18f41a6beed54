# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # How the opensearch_security_* modules reach and authenticate to a domain's security plugin REST API.
    DOCUMENTATION = r"""
options:
  endpoint:
    description:
      - HTTPS URL of the OpenSearch domain, for example C(https://vpc-openedx-prod-abc.us-east-1.es.amazonaws.com).
      - Without a path; a custom endpoint works too.
    type: str
    required: true
  auth:
    description:
      - How to authenticate to the domain's security API.
      - C(basic) uses the master user of the internal user database (I(master_username), I(master_password)).
      - C(sigv4) signs requests for the C(es) service with AWS credentials (the standard AWS options), for
        domains whose master user is an IAM role.
    type: str
    choices: [basic, sigv4]
    default: basic
  master_username:
    description:
      - Master user name. Required with I(auth=basic).
    type: str
  master_password:
    description:
      - Master user password. Required with I(auth=basic).
    type: str
  ca_bundle:
    description:
      - CA certificate bundle to verify the domain's TLS certificate with, instead of the system's.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request.
    type: int
    default: 30
"""
