"""Airflow metadata databases on the tests' PostgreSQL server, one schema per Airflow version.

``airflow db migrate`` is slow (tens of seconds), so each Airflow version migrates a template
database once and every deployment of that version gets a copy (``CREATE DATABASE ... TEMPLATE``).
"""

from __future__ import annotations

import time
from pathlib import Path

import airflow_matrix
from airflow_cluster import migrate
from backing_services import PostgresServer


def template_database(airflow: str) -> str:
    """The database Airflow ``airflow``'s schema is migrated into once, then copied."""
    return (
        "airflow_template"
        if airflow == airflow_matrix.LOCKED
        else f"airflow_template_{slug(airflow)}"
    )


def slug(airflow: str) -> str:
    return airflow.replace(".", "_")


class TemplateDatabases:
    """Each Airflow version's template database, migrated by that version when first asked for."""

    def __init__(self, server: PostgresServer, cluster_dir: Path) -> None:
        self.server = server
        self.cluster_dir = cluster_dir
        self.migrated: set[str] = set()

    def name(self, airflow: str) -> str:
        if airflow not in self.migrated:
            database = self.server.create_database(template_database(airflow))
            started = time.monotonic()
            migrate(
                database,
                self.cluster_dir / f"migrate-{airflow}",
                self.cluster_dir / "pyc",
                python=airflow_matrix.interpreter(airflow),
            )
            elapsed = time.monotonic() - started
            print(f"\n[cluster] Airflow {airflow}: airflow db migrate {elapsed:.1f} s")
            self.migrated.add(airflow)
        return template_database(airflow)
