"""Which transcriber the settings choose."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.providers.transcription.choice import get_transcriber
from agents.providers.transcription.offline_whisper import BUNDLED_MODEL_SHA256, OfflineWhisperTranscriber
from agents.providers.transcription.openai_whisper import OpenAITranscriber
from agents.testing.fixtures import linked_whisper_model_copy
from agents.testing.wire import LocalVendorServer


@pytest.fixture
def server():
    with LocalVendorServer() as running:
        yield running


def test_whisper_model_path_setting_selects_another_local_model(settings, tmp_path: Path) -> None:
    settings.OPENAI_API_KEY = ""
    settings.WHISPER_MODEL_PATH = str(linked_whisper_model_copy(tmp_path / "other-model"))
    settings.WHISPER_MODEL_SHA256 = BUNDLED_MODEL_SHA256

    transcriber = get_transcriber()

    assert isinstance(transcriber, OfflineWhisperTranscriber)
    assert transcriber.model_dir == Path(settings.WHISPER_MODEL_PATH)
    assert transcriber.load() is not None


def test_without_openai_key_the_offline_transcriber_is_chosen(settings) -> None:
    settings.OPENAI_API_KEY = ""
    settings.WHISPER_MODEL_PATH = ""
    transcriber = get_transcriber()
    assert isinstance(transcriber, OfflineWhisperTranscriber)
    assert transcriber.expected_sha256 == BUNDLED_MODEL_SHA256


def test_with_openai_key_the_openai_transcriber_is_chosen(settings, server: LocalVendorServer) -> None:
    settings.OPENAI_API_KEY = "sk-live"
    settings.OPENAI_BASE_URL = f"{server.url}/v1"
    settings.VENDOR_TIMEOUT_SECONDS = 7.0
    settings.VENDOR_MAX_RETRIES = 1

    transcriber = get_transcriber()

    assert isinstance(transcriber, OpenAITranscriber)
    assert transcriber.client.timeout == 7.0
    assert transcriber.client.max_retries == 1
    assert str(transcriber.client.base_url).startswith(server.url)
