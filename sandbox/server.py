"""The sandbox's AWS endpoint: moto's server, patched, behind the call ledger, fault injection and control API.

Run as ``python -m sandbox.server`` (``python -m sandbox up`` does it detached). Control endpoints live
under ``/_sandbox/``; they and moto's own ``/moto-api/`` are neither counted nor faulted:

    GET  /_sandbox/health       {"status": "ok"}
    GET  /_sandbox/calls        the call ledger        POST /_sandbox/reset    clears it
    GET  /_sandbox/faults       fault configuration    PUT  /_sandbox/faults   replaces it
    GET  /_sandbox/status       time scale, data-plane servers, faults, call totals
    GET/PUT /_sandbox/time-scale  {"time_scale": n}: simulated seconds per real minute, changeable live
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import logging
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from sandbox import lifecycle, state
from sandbox.faults import THROTTLE, Faults, error_response
from sandbox.ledger import Ledger, classify

# moto leaves AWS-managed IAM policies out unless asked; the RDS monitoring role attaches one.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

LOG = logging.getLogger("sandbox.server")
DATAPLANE_MODULES = ("mariadb", "redis", "opensearch", "documentdb", "postgresql")

StartResponse = Callable[..., Any]


def dataplane_modules() -> list[ModuleType]:
    return [importlib.import_module(f"sandbox.dataplane.{name}") for name in DATAPLANE_MODULES]


def dataplane_servers() -> list[dict[str, Any]]:
    servers: list[dict[str, Any]] = []
    for module in dataplane_modules():
        servers.extend(module.servers())
    return servers


def stop_dataplanes() -> None:
    """Stop every data-plane server (each engine's ``stop_all``); one failing does not spare the others."""
    for module in dataplane_modules():
        try:
            module.stop_all()
        except Exception:
            LOG.exception("stopping %s servers failed", module.__name__)


class SandboxApp:
    """WSGI middleware: control endpoints, then fault injection, then the call ledger, then moto."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        self.ledger = Ledger()
        self.faults = Faults()
        self.started = time.time()
        self.patches: list[str] = []
        self.on_moto_reset: Callable[[], None] | None = None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path.startswith("/_sandbox/"):
            return self.control(environ, start_response, path)
        if path.startswith("/moto-api"):
            result = self.app(environ, start_response)
            if path.rstrip("/") == "/moto-api/reset" and environ.get("REQUEST_METHOD") == "POST":
                self.after_moto_reset()
            return result
        headers = {
            key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        body = b""
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            body = _read_body(environ)
        call = classify(environ.get("REQUEST_METHOD", "GET"), path, environ.get("QUERY_STRING", ""), headers, body)
        fault = self.faults.decide(call)
        self.ledger.record(call, faulted=fault is not None)
        if fault is None:
            return self.app(environ, start_response)
        status = 400 if fault == THROTTLE else self.faults.server_error_status()
        code, response_headers, payload = error_response(call, fault, status, headers.get("content-type"))
        start_response(f"{code} {_REASONS.get(code, 'Error')}", response_headers)
        return [payload]

    def after_moto_reset(self) -> None:
        """Moto dropped every resource: stop their servers, drop snapshot copies, put the seeded network back."""
        stop_dataplanes()
        shutil.rmtree(state.state_dir() / "snapshots", ignore_errors=True)
        if self.on_moto_reset is not None:
            self.on_moto_reset()

    def control(self, environ: dict[str, Any], start_response: StartResponse, path: str) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        route = path.rstrip("/")
        if route == "/_sandbox/health" and method in ("GET", "HEAD"):
            return _json(start_response, 200, {"status": "ok"})
        if route == "/_sandbox/calls" and method == "GET":
            return _json(start_response, 200, self.ledger.snapshot())
        if route == "/_sandbox/reset" and method == "POST":
            self.ledger.reset()
            return _json(start_response, 200, {"reset": True})
        if route == "/_sandbox/faults" and method == "GET":
            return _json(start_response, 200, self.faults.config())
        if route == "/_sandbox/faults" and method in ("PUT", "POST"):
            try:
                self.faults.configure(json.loads(_read_body(environ) or b"{}"))
            except (ValueError, TypeError) as exc:
                return _json(start_response, 400, {"error": str(exc)})
            return _json(start_response, 200, self.faults.config())
        if route == "/_sandbox/time-scale" and method == "GET":
            return _json(start_response, 200, {"time_scale": lifecycle.time_scale()})
        if route == "/_sandbox/time-scale" and method in ("PUT", "POST"):
            try:
                scale = float(json.loads(_read_body(environ) or b"{}")["time_scale"])
                if scale < 0:
                    raise ValueError("time_scale must be 0 or more")
            except (ValueError, TypeError, KeyError) as exc:
                return _json(start_response, 400, {"error": f"expected {{\"time_scale\": n >= 0}}: {exc}"})
            # lifecycle reads the scale from the environment on every transition.
            os.environ["SANDBOX_TIME_SCALE"] = str(scale)
            return _json(start_response, 200, {"time_scale": lifecycle.time_scale()})
        if route == "/_sandbox/status" and method == "GET":
            return _json(start_response, 200, self.status())
        return _json(start_response, 404, {"error": f"no control endpoint {method} {path}"})

    def status(self) -> dict[str, Any]:
        return {
            "endpoint": state.AWS_ENDPOINT,
            "pid": os.getpid(),
            "uptime_seconds": round(time.time() - self.started, 1),
            "time_scale": lifecycle.time_scale(),
            "state_dir": str(state.state_dir()),
            "patches": self.patches,
            "dataplane": dataplane_servers(),
            "faults": self.faults.config(),
            "calls": self.ledger.snapshot()["totals"],
        }


_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"}


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put it back, so moto can read it again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ["wsgi.input"]
    body = stream.read(length) if length else (stream.read() if environ.get("wsgi.input_terminated") else b"")
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _json(start_response: StartResponse, status: int, data: Any) -> list[bytes]:
    payload = (json.dumps(data, indent=2, default=str) + "\n").encode()
    start_response(
        f"{status} {_REASONS.get(status, 'Error')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
    )
    return [payload]


def build_app() -> SandboxApp:
    """Apply every service's hooks to moto, seed the network, and return the wrapped WSGI application."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from sandbox import seed, services

    patches = services.apply_all()
    # Moto reads botocore's paginator models on the first paginated describe, which takes seconds on a busy
    # machine: longer than the shortest simulated transitions. Read them before serving.
    from moto.core.utils import get_pagination_model

    for service in ("rds", "elasticache", "opensearch"):
        get_pagination_model(service)
    app = SandboxApp(DomainDispatcherApplication(create_backend_app))
    app.patches = patches
    app.on_moto_reset = seed.seed
    seed.seed()
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.server", description=__doc__)
    parser.add_argument("--host", default=state.AWS_HOST)
    parser.add_argument("--port", type=int, default=state.AWS_PORT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    os.environ.setdefault("MOTO_PORT", str(args.port))

    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    app = build_app()
    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)

    def stop(signum: int, _frame: Any) -> None:
        LOG.info("signal %s: stopping", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    LOG.info("sandbox AWS endpoint on http://%s:%s (time scale %s)", args.host, args.port, lifecycle.time_scale())
    try:
        server.serve_forever()
    finally:
        stop_dataplanes()
        server.server_close()
    LOG.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
