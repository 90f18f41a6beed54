"""Caches that spare the system tests' many ansible-playbook runs work each run would otherwise repeat.

tests/system/run.sh puts this directory on PYTHONPATH, so Python imports this file at the start of every process of
the suite: ansible-playbook, its workers and the modules they run. Nothing here changes what a run does:

- The AnsiballZ payloads (a module and the module_utils it imports, zipped) are kept between runs. ansible-core keeps
  them for one run only, and finding a module's module_utils (parsing every file it imports) is a fifth of a
  converge's CPU. The cache's directory is named after the contents of this collection's plugins and the versions of
  ansible-core and the ansible package, so an edited module or module_util gets a fresh cache.
- The modules import their module_utils from the payload's zip file, which Python compiles on every import (zipimport
  keeps no bytecode). The compiled code is kept, by the hash of its source.
- botocore parses its JSON models (the endpoints, each service's API) for every client a module makes: a tenth of a
  module's CPU. The parsed models are kept, pickled, by file, size and modification time.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.abc
import importlib.machinery
import marshal
import os
import pickle
import sys
import zipimport
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# DATA_SERVICES_TEST_CACHE: "off" runs the suite without these caches (to compare, or to rule them out); any other
# value is the directory they are kept in, .cache/tests of the checkout by default.
CACHE = Path(os.environ.get("DATA_SERVICES_TEST_CACHE") or ROOT / ".cache" / "tests")


def _store(path: Path, data: bytes) -> None:
    """Write atomically: processes of the suite fill the cache concurrently."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


_compile_source = zipimport._compile_source  # the one place zipimport compiles a source


def _cached_compile(pathname: str, source: bytes):
    path = CACHE / "bytecode" / f"{sys.implementation.cache_tag}-{hashlib.sha256(source).hexdigest()}"
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError):
        code = _compile_source(pathname, source)
        _store(path, marshal.dumps(code))
        return code


def _payload_directory() -> str:
    """Where the AnsiballZ payloads of this checkout, ansible-core and the ansible package are kept."""
    from importlib import metadata

    digest = hashlib.sha256()
    for name in ("ansible-core", "ansible"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{name}={metadata.version(name)}\n".encode())
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return str(CACHE / "ansiballz" / digest.hexdigest()[:16])


def _patch_module_common(module) -> None:
    module.C = _Constants(module.C)


def _patch_botocore_loaders(module) -> None:
    load = module.JSONFileLoader._load_file

    def _load_file(self, full_path, open_method):
        try:
            status = os.stat(full_path)
        except OSError:
            return load(self, full_path, open_method)
        key = hashlib.sha256(f"{full_path}\0{status.st_size}\0{status.st_mtime_ns}".encode()).hexdigest()
        path = CACHE / "botocore" / key
        try:
            return pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError):
            data = load(self, full_path, open_method)
            _store(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
            return data

    module.JSONFileLoader._load_file = _load_file


PATCHES = {"ansible.executor.module_common": _patch_module_common, "botocore.loaders": _patch_botocore_loaders}


class _Constants:
    """ansible.constants as module_common sees it, but for the directory its payload cache lives in."""

    def __init__(self, constants) -> None:
        self._constants = constants
        self.DEFAULT_LOCAL_TMP = _payload_directory()

    def __getattr__(self, name: str):
        return getattr(self._constants, name)


class _PatchingFinder(importlib.abc.MetaPathFinder):
    """Applies the patch of a module of PATCHES once the module is imported."""

    def find_spec(self, fullname, path, target=None):
        patch = PATCHES.get(fullname)
        if patch is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module

        def exec_module(module) -> None:
            execute(module)
            patch(module)

        spec.loader.exec_module = exec_module
        return spec


if os.environ.get("DATA_SERVICES_TEST_CACHE") != "off":
    zipimport._compile_source = _cached_compile
    sys.meta_path.insert(0, _PatchingFinder())
