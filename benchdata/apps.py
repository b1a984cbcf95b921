from django.apps import AppConfig


class BenchdataConfig(AppConfig):
    """Generated data at national volume for scale tests and benchmarks (``manage.py generate_national``); no models."""

    name = "benchdata"
    verbose_name = "Benchmark data"
