"""Apache Airflow provider for IPPanel SMS."""
