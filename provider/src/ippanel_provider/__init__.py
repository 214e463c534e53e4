"""Apache Airflow provider for IPPanel SMS."""

__version__ = "0.1.0"
