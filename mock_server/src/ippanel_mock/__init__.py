"""IPPanel Edge API sandbox: a stateful aiohttp emulation of the IPPanel Edge SMS API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.app import BACKEND, create_app
from ippanel_mock.models.backend import SandboxBackend

if TYPE_CHECKING:
    from ippanel_mock.server import SandboxServer, ThreadedSandbox

__version__ = "0.1.0"

__all__ = [
    "BACKEND",
    "SandboxBackend",
    "SandboxConfig",
    "SandboxServer",
    "ThreadedSandbox",
    "create_app",
]


def __getattr__(name: str) -> Any:
    """The server classes load on first use, so importing the package stays light."""
    if name in ("SandboxServer", "ThreadedSandbox"):
        from ippanel_mock import server

        return getattr(server, name)
    raise AttributeError(f"module 'ippanel_mock' has no attribute {name!r}")
