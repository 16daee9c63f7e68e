import pytest

from vidclip.config import AnalysisConfig


@pytest.fixture(scope="session")
def tiny_config(tiny_model_options) -> AnalysisConfig:
    return AnalysisConfig(model=tiny_model_options)


@pytest.fixture(scope="session")
def pipeline(tiny_config, tiny_encoder):
    from vidclip.pipeline import Pipeline

    pipeline = Pipeline(tiny_config, encoder=tiny_encoder)
    pipeline.setup()
    return pipeline
