"""Answering-machine detection on rendered audio (espeak-ng cmn/en-us/yue, G.711, some at 15 dB SNR).

`amd_dev.py` is the set the thresholds were tuned on; `amd_heldout.py` was written before any
tuning and is reported separately (docs/voice.md gives both figures).
"""

from __future__ import annotations

import numpy as np
import pytest

from huikuan.voice.amd import AmdDetector, AmdSettings, AmdVerdict, classify, tone_of
from huikuan.voice.audio import FRAME_SAMPLES
from tests.voice.amd_dev import DEV
from tests.voice.amd_heldout import HELD_OUT
from tests.voice.amd_render import Case, beep, render_case, speech_end_ms
from tests.voice.amd_zhtts import ZHTTS

# A live person hears the robot within this long of their greeting's end (47 CFR 64.1200(a)(7)
# counts two seconds from the completed greeting; the robot's first audio follows the verdict).
HUMAN_DECIDED_WITHIN_MS = 1000


@pytest.mark.parametrize("case", DEV, ids=lambda c: c.id)
def test_development_set(case: Case) -> None:
    result = classify(render_case(case))
    end = speech_end_ms(case)
    if not case.machine:
        assert result.verdict == AmdVerdict.HUMAN, result
        assert result.at_ms - end <= HUMAN_DECIDED_WITHIN_MS
        return
    assert result.verdict == AmdVerdict.MACHINE, result
    # The message starts after the beep (or the greeting), never over the greeting
    assert result.at_ms >= end
    if case.beep_hz is not None:
        assert result.beep
        assert result.beep_hz == pytest.approx(case.beep_hz, abs=20)
        assert result.at_ms - end <= 400
    else:
        assert not result.beep
        assert result.at_ms - end <= 2000


def test_held_out_set() -> None:
    """Written before tuning: all machines found (each after its greeting), at most one live answer
    taken for a machine (the first run, before any change, had exactly one such error)."""
    results = [(case, classify(render_case(case))) for case in HELD_OUT]
    machines = [(c, r) for c, r in results if c.machine]
    humans = [(c, r) for c, r in results if not c.machine]
    assert all(r.machine and r.at_ms >= speech_end_ms(c) for c, r in machines)
    assert all(r.beep == (c.beep_hz is not None) for c, r in machines)
    wrong = [c.id for c, r in humans if r.machine]
    assert len(wrong) <= 1, wrong
    assert len(machines) == 7
    assert len(humans) == 8


def test_zhtts_set() -> None:
    """The neural Mandarin voice. Its first run (thresholds frozen) took two bare "喂" for
    NOTSURE at 2.5 s: the vowel's strong harmonic read as a tone and was not counted as speech.
    Voicing now ignores the tone test; every case below is right, a person within 1 s."""
    for case in ZHTTS:
        result = classify(render_case(case))
        end = speech_end_ms(case)
        if case.machine:
            assert result.verdict == AmdVerdict.MACHINE, case.id
            assert result.beep == (case.beep_hz is not None), case.id
            assert result.at_ms >= end, case.id
        else:
            assert result.verdict == AmdVerdict.HUMAN, case.id
            assert result.at_ms - end <= HUMAN_DECIDED_WITHIN_MS, case.id


@pytest.mark.parametrize("hz", [440, 1000, 1400, 1900])
def test_a_beep_alone_is_a_machine_and_the_message_follows_it(hz: int) -> None:
    pcm = np.concatenate([np.zeros(4000, np.int16), beep(hz, 300), np.zeros(8000, np.int16)])
    result = classify(pcm)
    assert result.verdict == AmdVerdict.MACHINE
    assert result.beep
    assert result.reason == "beep"
    assert 800 <= result.at_ms <= 800 + 300 + 300  # after the tone ended and a little quiet


@pytest.mark.parametrize(("hz", "ms"), [(250, 400), (2600, 400), (1000, 100)])
def test_tones_outside_the_band_or_too_short_are_no_beep(hz: int, ms: int) -> None:
    pcm = np.concatenate([np.zeros(4000, np.int16), beep(hz, ms), np.zeros(24000, np.int16)])
    result = classify(pcm)
    assert not result.beep


def test_tone_measure_finds_the_peak_and_its_purity() -> None:
    hz, share = tone_of(beep(1000, 20))
    assert hz == pytest.approx(1000, abs=16)
    assert share > 0.9
    noise = np.random.default_rng(3).normal(0, 2000, FRAME_SAMPLES).astype(np.int16)
    assert tone_of(noise)[1] < 0.3


def test_silence_only_is_notsure_at_the_initial_silence_limit() -> None:
    result = classify(np.zeros(8000 * 4, np.int16))
    assert result.verdict == AmdVerdict.NOTSURE
    assert result.reason == "initial_silence"
    assert result.at_ms == AmdSettings().initial_silence_ms


def test_speech_then_beep_after_the_greeting() -> None:
    case = Case("t", "en-us", "Hello?", machine=False)
    # a short answer followed closely by a tone: the beep decides even though the greeting was short
    head = render_case(case)[: (speech_end_ms(case) + 200) * 8]
    pcm = np.concatenate([head, beep(1000, 400), np.zeros(8000, np.int16)])
    result = classify(pcm)
    assert result.verdict == AmdVerdict.MACHINE
    assert result.beep


def test_verdict_is_kept_and_frames_are_checked() -> None:
    detector = AmdDetector()
    quiet = np.zeros(FRAME_SAMPLES, np.int16)
    first = None
    for _ in range(200):
        first = first or detector.push(quiet)
    assert first is not None
    assert detector.push(quiet) is first
    with pytest.raises(ValueError, match="160 samples"):
        AmdDetector().push(np.zeros(80, np.int16))
