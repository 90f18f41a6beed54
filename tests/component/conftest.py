"""Component tests: the collection's modules run in-process against moto, with every AWS call recorded.

Puts the repository root (``sandbox``) and ``.collections`` (``ansible_collections.openedx.data_services``) on
sys.path however pytest is invoked.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import botocore.client
import pytest

ROOT = Path(__file__).resolve().parents[2]
for _path in (str(ROOT / ".collections"), str(ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from ansible.module_utils import basic  # noqa: E402
from ansible.module_utils.testing import patch_module_args  # noqa: E402
from moto import mock_aws  # noqa: E402

REGION = "us-east-1"
READ_PREFIXES = ("Describe", "List", "Get")


class ModuleExit(Exception):
    """exit_json/fail_json, raised so a test gets the module's result."""

    def __init__(self, failed: bool, result: dict[str, Any]) -> None:
        super().__init__(result.get("msg", ""))
        self.failed = failed
        self.result = result


class CallRecorder:
    """Every AWS operation made through any botocore client."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.requests: list[tuple[str, dict[str, Any]]] = []

    @property
    def reads(self) -> list[str]:
        return [operation for operation in self.calls if operation.startswith(READ_PREFIXES)]

    @property
    def mutating(self) -> list[str]:
        return [operation for operation in self.calls if not operation.startswith(READ_PREFIXES)]

    def request(self, operation: str) -> dict[str, Any]:
        """The parameters of the last ``operation`` call."""
        return [params for name, params in self.requests if name == operation][-1]

    def clear(self) -> None:
        self.calls.clear()
        self.requests.clear()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In-process moto with fake credentials, none of the caller's AWS settings."""
    for name, value in (("AWS_DEFAULT_REGION", REGION), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        yield


@pytest.fixture
def calls(aws: None) -> Iterator[CallRecorder]:
    """The AWS calls the test makes from here on (its own set-up calls included: clear() before the run)."""
    recorder = CallRecorder()
    original = botocore.client.BaseClient._make_api_call

    def recording(client: Any, operation_name: str, api_params: Any) -> Any:
        recorder.calls.append(operation_name)
        recorder.requests.append((operation_name, dict(api_params)))
        return original(client, operation_name, api_params)

    with mock.patch.object(botocore.client.BaseClient, "_make_api_call", recording):
        yield recorder


@pytest.fixture
def run_module() -> Callable[..., ModuleExit]:
    """Run a module's main() with its arguments; returns its exit (``.failed``, ``.result``).

    The result is the one the module would print: after exit_json/fail_json's own processing (no_log masking,
    invocation), caught at the hook that serialises it.
    """

    def run(main: Callable[[], None], args: dict[str, Any], check_mode: bool = False,
            diff: bool = False) -> ModuleExit:
        def record(self: Any, result: dict[str, Any]) -> None:
            raise ModuleExit(bool(result.get("failed")), result)

        module_args = {"region": REGION, **args, "_ansible_check_mode": check_mode, "_ansible_diff": diff}
        with patch_module_args(module_args), mock.patch.object(basic.AnsibleModule, "_record_module_result", record), \
                pytest.raises(ModuleExit) as raised:
            main()
        return raised.value

    return run
