"""Provider metadata read by Airflow's ProvidersManager.

Kept import-free: Airflow calls this for every CLI command and UI page. The connection form is
declared here (``conn-fields`` / ``ui-field-behaviour``, read by Airflow 3.2+ without importing
the hook); the hook's legacy form methods for Airflow 3.0/3.1 are derived from the same data.
"""

from __future__ import annotations

from typing import Any

from ippanel_provider import __version__

PACKAGE = "ippanel_provider"
INTEGRATION = "IPPanel"

DEFAULT_CONNECT_TIMEOUT = 5
DEFAULT_READ_TIMEOUT = 30
"""Seconds; the client's defaults too, so a connection saved as the form prefills it behaves
like one without timeouts."""

CONNECTION_FIELDS: dict[str, dict[str, Any]] = {
    "sender": {
        "label": "Default sender number",
        "description": "Line number used when a task names no sender, e.g. +983000505.",
        "schema": {"type": ["string", "null"], "examples": ["+983000505"]},
    },
    "connect_timeout": {
        "label": "Connect timeout (seconds)",
        "description": "How long to wait for a connection to IPPanel. Nothing was sent yet, "
        "so a connect timeout is retried.",
        "schema": {"type": ["number", "null"], "default": DEFAULT_CONNECT_TIMEOUT},
    },
    "read_timeout": {
        "label": "Read timeout (seconds)",
        "description": "How long to wait for IPPanel's answer. A send whose answer is late is "
        "never retried (it may have gone out).",
        "schema": {"type": ["number", "null"], "default": DEFAULT_READ_TIMEOUT},
    },
    "totp_secret": {
        "label": "TOTP secret",
        "description": "Base32 secret for accounts whose login method is 'ga'.",
        "schema": {"type": ["string", "null"], "format": "password"},
    },
    "recipients_per_request": {
        "label": "Recipients per request",
        "description": "Large recipient lists are split into requests of at most this size.",
        "schema": {"type": ["integer", "null"], "default": 1000},
    },
    "verify": {
        "label": "Verify TLS certificates",
        "schema": {"type": ["boolean", "null"], "default": True},
    },
    "proxy": {
        "label": "Proxy URL",
        "description": "HTTP(S) proxy for API requests, e.g. http://proxy.example:3128.",
        "schema": {"type": ["string", "null"], "examples": ["http://proxy.example:3128"]},
    },
}
"""The form's extra fields. Airflow 3.2+ offers a string field's ``examples`` as suggestions
while typing (a datalist; it allows no placeholder of our own there), so each description
repeats the example (3.0/3.1 show the description too)."""

UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden-fields": ["schema", "port"],
    "relabeling": {
        "host": "Base URL",
        "password": "API key",
        "login": "Username (optional)",
    },
    "placeholders": {
        "host": "https://edge.ippanel.com/v1",
        "password": "API key, or the account password when a username is set",
        "login": "Only for username/password login instead of an API key",
        "sender": "+983000505",
        "proxy": "http://proxy.example:3128",
    },
}


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "airflow-provider-ippanel",
        "name": "IPPanel",
        "description": "Send SMS through IPPanel (Edge API), wait for delivery and for replies.",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": INTEGRATION,
                "external-doc-url": "https://edge.ippanel.com/",
                "tags": ["service"],
            }
        ],
        "hooks": [
            {"integration-name": INTEGRATION, "python-modules": [f"{PACKAGE}.hooks.ippanel"]},
        ],
        "operators": [
            {
                "integration-name": INTEGRATION,
                "python-modules": [
                    f"{PACKAGE}.operators.send",
                    f"{PACKAGE}.operators.phonebook",
                    f"{PACKAGE}.operators.audiences",
                ],
            },
        ],
        "sensors": [
            {
                "integration-name": INTEGRATION,
                "python-modules": [f"{PACKAGE}.sensors.delivery", f"{PACKAGE}.sensors.inbox"],
            },
        ],
        "triggers": [
            {
                "integration-name": INTEGRATION,
                "python-modules": [f"{PACKAGE}.triggers.delivery", f"{PACKAGE}.triggers.inbox"],
            },
        ],
        "connection-types": [
            {
                "connection-type": "ippanel",
                "hook-class-name": f"{PACKAGE}.hooks.ippanel.IPPanelHook",
                "hook-name": "IPPanel",
                "conn-fields": CONNECTION_FIELDS,
                "ui-field-behaviour": UI_FIELD_BEHAVIOUR,
            }
        ],
        "notifications": [f"{PACKAGE}.notifications.ippanel.IPPanelNotifier"],
    }
