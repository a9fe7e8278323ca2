from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from huikuan.voice.audio import Pcm, frames, silence
from huikuan.voice.vad import BargeIn, EndOfTurnDetector, Turn
from tests.voice.conftest import embed, speech_span_ms

PHRASES = ["I lost my job can I pay in installments", "yes this is him", "I already paid"]


def _turns(detector: EndOfTurnDetector, pcm: Pcm) -> list[tuple[int, Turn]]:
    """Each finished turn with the index of the frame that closed it."""
    return [(i, t) for i, f in enumerate(frames(pcm)) if (t := detector.push(f)) is not None]


@pytest.mark.parametrize("phrase", PHRASES)
def test_turn_start_and_end_within_100ms(speak: Callable[[str], Pcm], phrase: str) -> None:
    speech = speak(phrase)
    begin, end = speech_span_ms(speech)
    turns = _turns(EndOfTurnDetector(), embed(speech, 1000, 1500))
    assert len(turns) == 1
    _, turn = turns[0]
    assert abs(turn.start_ms - (1000 + begin)) <= 100
    assert abs(turn.end_ms - (1000 + end)) <= 100
    assert len(turn.pcm) >= (turn.end_ms - turn.start_ms) * 8


def test_end_of_turn_waits_for_the_configured_silence(speak: Callable[[str], Pcm]) -> None:
    pcm = embed(speak("I already paid"), 500, 1500)
    [(closed_700, turn)] = _turns(EndOfTurnDetector(end_silence_ms=700), pcm)
    [(closed_300, _)] = _turns(EndOfTurnDetector(end_silence_ms=300), pcm)
    assert closed_700 - closed_300 == (700 - 300) // 20
    assert closed_700 * 20 >= turn.end_ms + 700 - 20


def test_silence_and_line_noise_make_no_turn() -> None:
    assert _turns(EndOfTurnDetector(), embed(silence(0), 3000, 0)) == []


def test_wrong_frame_size_is_refused() -> None:
    with pytest.raises(ValueError, match="160 samples"):
        EndOfTurnDetector().push(np.zeros(80, dtype=np.int16))


def test_barge_in_fires_once_when_the_caller_talks_over_the_robot(speak: Callable[[str], Pcm]) -> None:
    speech = speak("I lost my job can I pay in installments")
    begin, _ = speech_span_ms(speech)
    pcm = embed(speech, 800, 500)
    barge = BargeIn()
    fired = [i for i, f in enumerate(frames(pcm)) if barge.feed(f, robot_playing=True)]
    assert len(fired) == 1
    assert 800 + begin <= fired[0] * 20 <= 800 + begin + 300


def test_no_barge_in_while_the_robot_is_silent_or_on_silence(speak: Callable[[str], Pcm]) -> None:
    pcm = embed(speak("I already paid"), 800, 500)
    barge = BargeIn()
    assert not any(barge.feed(f, robot_playing=False) for f in frames(pcm))
    assert not any(BargeIn().feed(f, robot_playing=True) for f in frames(embed(silence(0), 2000, 0)))


def test_barge_in_rearms_for_the_next_playback(speak: Callable[[str], Pcm]) -> None:
    pcm = embed(speak("yes this is him"), 200, 200)
    barge = BargeIn()
    first = sum(barge.feed(f, True) for f in frames(pcm))
    barge.feed(silence(20), False)  # playback ended
    second = sum(barge.feed(f, True) for f in frames(pcm))
    assert (first, second) == (1, 1)


def test_a_turn_without_pauses_is_cut_at_the_maximum_length(speak: Callable[[str], Pcm]) -> None:
    speech = speak("I lost my job can I pay in installments")
    busy = np.concatenate([speech[: len(speech) // 2]] * 4)  # voiced halves back to back
    turns = _turns(EndOfTurnDetector(max_turn_ms=1000), embed(busy, 400, 1000))
    assert len(turns) >= 2
    assert turns[0][1].end_ms - turns[0][1].start_ms == 1000


def test_a_short_pause_gives_a_tentative_turn_before_the_final_one(speak: Callable[[str], Pcm]) -> None:
    pcm = embed(speak("I already paid"), 500, 1500)
    turns = _turns(EndOfTurnDetector(end_silence_ms=400, early_pause_ms=200), pcm)
    assert [t.final for _, t in turns] == [False, True]
    (early_at, early), (final_at, final) = turns
    assert final_at - early_at == (400 - 200) // 20
    assert (early.start_ms, early.end_ms) == (final.start_ms, final.end_ms)
    assert all(t.final for _, t in _turns(EndOfTurnDetector(end_silence_ms=400), pcm))
