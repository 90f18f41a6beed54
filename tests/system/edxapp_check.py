"""Connect to the data services with the structures edxapp builds from the hand-off vars, read as JSON on stdin.

Prints one JSON line per connection: what it reached and how (the session's user, TLS version, database, PING),
never a password, and writes them as one JSON list to the file named by EDXAPP_CHECK_RESULTS when it is set. Exits 1
when any connection fails. Used by tests/system/fixtures/edxapp_consumer.yml.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import ssl
import sys
import urllib.request
from typing import Any

import pymysql
import redis


def mysql(entry: dict[str, Any]) -> dict[str, Any]:
    """Log in as Django's MySQL backend would with DATABASES[alias] (mysqlclient's ssl and ssl_mode options)."""
    options = entry.get("OPTIONS") or {}
    verify_identity = options.get("ssl_mode") == "VERIFY_IDENTITY"
    conn = pymysql.connect(host=entry["HOST"], port=int(entry["PORT"]), user=entry["USER"],
                           password=entry["PASSWORD"], database=entry["NAME"], connect_timeout=5,
                           ssl_ca=options["ssl"]["ca"], ssl_verify_cert=True, ssl_verify_identity=verify_identity)
    with conn, conn.cursor() as cursor:
        cursor.execute("SELECT CURRENT_USER(), DATABASE()")
        user, database = cursor.fetchone()
        cursor.execute("SHOW SESSION STATUS LIKE 'Ssl_version'")
        tls = cursor.fetchone()[1]
    return {"user": user, "database": database, "tls": tls, "verify_identity": verify_identity}


def redis_url(url: str, options: dict[str, Any]) -> dict[str, Any]:
    """PING through a redis URL with the connection options Celery (broker_use_ssl) or Django's cache pass on."""
    client = redis.Redis.from_url(url, socket_timeout=5, **options)
    with client:
        database = client.connection_pool.connection_kwargs.get("db")
        return {"scheme": url.split("://")[0], "ping": client.ping(), "db": database}


def mongo(config: dict[str, Any]) -> dict[str, Any]:
    """Connect as edx-platform's connect_to_mongodb does with a DOC_STORE_CONFIG (or contentstore options)."""
    import pymongo  # only needed where DocumentDB is checked

    kwargs = {key: value for key, value in config.items()
              if key not in ("db", "host", "port", "user", "password", "collection", "read_preference",
                             "auth_source", "authsource")}
    client = pymongo.MongoClient(host=config["host"], port=int(config["port"]), username=config["user"],
                                 password=config["password"], authSource=config.get("authsource")
                                 or config.get("auth_source") or "admin", serverSelectionTimeoutMS=5000, **kwargs)
    with client:
        reply = client[config["db"]].command("ping")
    return {"ping": reply.get("ok"), "tls": bool(kwargs.get("ssl") or kwargs.get("tls")),
            "retryWrites": kwargs.get("retryWrites"), "replicaSet": kwargs.get("replicaSet")}


def search(host: dict[str, Any]) -> dict[str, Any]:
    """GET / as elasticsearch-py does with one host of EDXAPP_ELASTIC_SEARCH_CONFIG (basic auth, verified TLS)."""
    context = ssl.create_default_context(cafile=host["ca_certs"])
    request = urllib.request.Request(f"https://{host['host']}:{host['port']}/")
    request.add_header("Authorization", "Basic " + base64.b64encode(host["http_auth"].encode()).decode())
    with urllib.request.urlopen(request, context=context, timeout=5) as response:
        return {"status": response.status}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="comma-separated kinds to check (mysql,redis,mongo,search)")
    only = set(filter(None, parser.parse_args().only.split(",")))
    structures = json.load(sys.stdin)
    checks: list[tuple[str, str, Any]] = []
    checks += [("mysql", f"DATABASES.{alias}", entry) for alias, entry in structures["databases"].items()]
    checks += [("redis", "BROKER_URL", (structures["broker"]["url"], structures["broker"]["use_ssl"]))]
    checks += [("redis", f"CACHES.{name}", (cache["LOCATION"], cache.get("OPTIONS") or {}))
               for name, cache in structures["caches"].items()]
    checks += [("mongo", f"DOC_STORE_CONFIG.{name}", config) for name, config in structures["doc_stores"].items()]
    checks += [("mongo", f"CONTENTSTORE.{name}", {**store["DOC_STORE_CONFIG"], **store["OPTIONS"]})
               for name, store in structures["contentstores"].items()]
    checks += [("search", f"ELASTIC_SEARCH_CONFIG[{index}]", host) for index, host in enumerate(structures["search"])]
    reports = []
    for kind, name, value in checks:
        if only and kind not in only:
            continue
        try:
            found = {"mysql": mysql, "mongo": mongo, "search": search}[kind](value) if kind != "redis" \
                else redis_url(*value)
            reports.append({"check": name, "ok": True, **found})
        except Exception as error:
            # Server and driver messages name the user and the host, never the password.
            reports.append({"check": name, "ok": False, "error": f"{type(error).__name__}: {error}"[:300]})
        print(json.dumps(reports[-1]))
    if os.environ.get("EDXAPP_CHECK_RESULTS"):
        with open(os.environ["EDXAPP_CHECK_RESULTS"], "w", encoding="utf-8") as out:
            json.dump(reports, out)
    return 0 if all(report["ok"] for report in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
