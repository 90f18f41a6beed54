"""OpenSearch Service errors moto has no class for."""

from __future__ import annotations

from moto.core.exceptions import JsonRESTError


class ValidationException(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("ValidationException", message)


class ResourceAlreadyExistsException(JsonRESTError):
    code = 409

    def __init__(self, message: str) -> None:
        super().__init__("ResourceAlreadyExistsException", message)
