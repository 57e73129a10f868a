"""Which cloud to talk to, and the credential to talk with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from auditor.errors import InputError

PUBLIC_ARM = "https://management.azure.com"


@dataclass(frozen=True)
class Cloud:
    """The ARM endpoint and Entra ID authority to use (Azure public cloud by default)."""

    arm_endpoint: str = PUBLIC_ARM
    authority_host: str | None = None

    @classmethod
    def from_options(cls, arm_endpoint: str | None, authority_host: str | None) -> Cloud:
        """The cloud the flags name; an endpoint that is not an https URL is an input error."""
        endpoint = (arm_endpoint or PUBLIC_ARM).rstrip("/")
        for label, value in (("--arm-endpoint", endpoint), ("--authority-host", authority_host)):
            if value is None:
                continue
            parsed = urlparse(value if "://" in value else f"https://{value}")
            if parsed.scheme != "https" or not parsed.netloc:
                raise InputError(f"{label} must be an https URL, got {value!r}")
        return cls(arm_endpoint=endpoint, authority_host=authority_host)

    @property
    def credential_scope(self) -> str:
        """The token audience: the ARM endpoint's `/.default` scope."""
        return f"{self.arm_endpoint}/.default"

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments every azure-mgmt client takes to point at this cloud."""
        return {"base_url": self.arm_endpoint, "credential_scopes": [self.credential_scope]}

    def credential(self, **transport: Any) -> Any:
        """DefaultAzureCredential: az login, managed identity, workload identity or env secrets.

        `transport` (connection_timeout, read_timeout) goes to the token requests' pipeline.
        """
        from azure.identity import DefaultAzureCredential

        kwargs: dict[str, Any] = dict(transport)
        if self.authority_host:
            # A custom authority (sovereign cloud, Azure Stack Hub, a test server)
            # cannot answer Microsoft's instance discovery, so turn it off.
            kwargs["authority"] = self.authority_host
            kwargs["disable_instance_discovery"] = True
        return DefaultAzureCredential(**kwargs)
