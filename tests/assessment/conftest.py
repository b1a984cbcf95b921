from tests.datasets.conftest import dataset, elements, save, subdistricts, topic  # noqa: F401  (shared catalogue fixtures)
