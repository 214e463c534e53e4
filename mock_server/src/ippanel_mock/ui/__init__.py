"""The sandbox's web UI: a live inbox of captured and received SMS, bulks, the request journal,
controls. A static page that reads everything through the admin API, plus one event stream."""

from ippanel_mock.ui.routes import setup_ui

__all__ = ["setup_ui"]
