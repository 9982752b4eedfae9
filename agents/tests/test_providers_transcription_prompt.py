"""The upload's context as Whisper's prompt: sanitised, capped to what Whisper reads, heard by
the offline engine when asked to (a name spelled the way the prompt spells it), and the
context's names respelled in the transcript."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.providers.transcription import (
    PROMPT_MAX_CHARS,
    WHISPER_PROMPT_MAX_TOKENS,
    OfflineWhisperTranscriber,
    WhisperOptions,
    prompt_within_tokens,
    whisper_prompt,
)
from agents.providers.transcription.names import context_names, respell_names
from agents.testing.synth import synthesize_call
from agents.types import Segment, Transcript, Word


def test_control_and_format_characters_become_single_spaces() -> None:
    pasted = "RouteWise\x00 route\u200bplanning\r\n\tfor\u202e Priya\x1b[31m  at  Freshline "
    assert whisper_prompt(pasted) == "RouteWise route planning for Priya [31m at Freshline"


def test_an_empty_or_blank_context_gives_no_prompt() -> None:
    assert whisper_prompt("") == "" and whisper_prompt(None) == "" and whisper_prompt(" \n\x00 ") == ""


def test_a_long_context_keeps_its_head_cut_at_a_word_boundary() -> None:
    context = "Carlos from RouteWise calls Priya. " + "Our fleet planning notes go on and on. " * 40
    prompt = whisper_prompt(context)
    assert prompt.startswith("Carlos from RouteWise calls Priya.")
    assert len(prompt) <= PROMPT_MAX_CHARS
    assert context.startswith(prompt) and context[len(prompt)] == " "  # no word cut in half


def test_a_single_endless_word_is_cut_at_the_cap() -> None:
    assert whisper_prompt("x" * 5000) == "x" * PROMPT_MAX_CHARS


@pytest.fixture(scope="module")
def tokenizer():
    return OfflineWhisperTranscriber().load().hf_tokenizer


def _tokens(tokenizer, text: str) -> int:
    return len(tokenizer.encode(" " + text, add_special_tokens=False).ids)


def test_a_prompt_within_the_token_budget_is_left_alone(tokenizer) -> None:
    assert prompt_within_tokens("Maya from FlowDesk.", tokenizer) == "Maya from FlowDesk."


def test_a_prompt_over_the_token_budget_keeps_the_words_that_fit_from_the_start(tokenizer) -> None:
    # Names tokenize badly: 600 characters of them are well over Whisper's 223 tokens.
    names = " ".join(f"Qz{index}xv Wbk{index}" for index in range(60))
    prompt = prompt_within_tokens(whisper_prompt(names), tokenizer)
    assert _tokens(tokenizer, names) > WHISPER_PROMPT_MAX_TOKENS
    assert names.startswith(prompt) and names[len(prompt)] == " "
    assert WHISPER_PROMPT_MAX_TOKENS - 8 <= _tokens(tokenizer, prompt) <= WHISPER_PROMPT_MAX_TOKENS


@pytest.mark.slow
def test_the_offline_engine_spells_a_name_the_way_the_prompt_does(tmp_path: Path) -> None:
    """tiny.en hears the made-up brand "Kwyllo" as "Quillo" (measured); given the upload's
    context it writes it as the context does."""
    sentence = "Good morning, I am calling from Kwyllo about the Kwyllo dashboard."
    call = synthesize_call([("champion", sentence)], tmp_path / "kwyllo.wav")  # espeak's male voice: no noise
    transcriber = OfflineWhisperTranscriber(options=WhisperOptions(use_prompt=True))

    without = transcriber.transcribe(call.wav_path).text
    with_context = transcriber.transcribe(call.wav_path, prompt="A call from Kwyllo.\x00").text

    assert "Kwyllo" not in without
    assert with_context.count("Kwyllo") == 2, with_context


@pytest.mark.slow
def test_by_default_the_offline_engine_respells_the_contexts_names_without_prompting(tmp_path: Path) -> None:
    call = synthesize_call([("champion", "This is Maya from FlowDesk.")], tmp_path / "flowdesk.wav")
    transcriber = OfflineWhisperTranscriber()

    assert "FlowDesk" not in transcriber.transcribe(call.wav_path).text  # heard as "Flowdesk"
    transcript = transcriber.transcribe(call.wav_path, prompt="Maya, account executive at FlowDesk.")

    assert "FlowDesk" in transcript.text
    assert "FlowDesk." in [word.text for segment in transcript.segments for word in segment.words]


def _transcript(text: str) -> Transcript:
    words = [Word(word, index * 0.5, index * 0.5 + 0.4) for index, word in enumerate(text.split())]
    return Transcript(text=text, language="en", duration=10.0, segments=[Segment(0, 0.0, 10.0, text, words)])


def test_a_name_heard_split_or_recased_is_respelled_in_text_and_words() -> None:
    transcript = respell_names(
        _transcript("Carlos from route wise. Flowdesk and Bright-Roof, carlos"),
        "Carlos from RouteWise, FlowDesk and BrightRoof.",
    )
    assert transcript.text == "Carlos from RouteWise. FlowDesk and BrightRoof, carlos"
    words = transcript.segments[0].words
    assert [word.text for word in words] == ["Carlos", "from", "RouteWise.", "FlowDesk", "and", "BrightRoof,", "carlos"]
    assert (words[2].start, words[2].end) == (1.0, 1.9)  # "route" starts, "wise." ends


def test_words_that_only_sound_like_a_name_and_contexts_without_names_change_nothing() -> None:
    heard = _transcript("calling from Quillo about the route planning")
    assert respell_names(heard, "Kwyllo route planning") == heard
    assert respell_names(heard, "") == heard
    assert context_names("Maya from FlowDesk, at RouteWise. cheap") == ["RouteWise", "FlowDesk", "Maya"]
