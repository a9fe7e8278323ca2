"""AMD held-out set: written before any threshold of `voice.amd` was tuned, never tuned on.

Each case is rendered by `amd_render.render_case` (espeak-ng, 8 kHz, over G.711). Machines are
voicemail greetings (with or without a beep); humans are live answers followed by the silence of
a person waiting for the caller to speak. The development set the thresholds were fitted on is
`amd_dev.py`; the figures of the two are reported separately.
"""

from __future__ import annotations

from tests.voice.amd_render import Case

HELD_OUT: tuple[Case, ...] = (
    # --- machines ---------------------------------------------------------------------------
    Case(
        "h-cmn-vm-beep", "cmn", "您好，您拨打的电话暂时无人接听，请在嘀声后留言。", machine=True, beep_hz=1000
    ),
    Case("h-cmn-vm-nobeep", "cmn", "对不起，机主现在不方便接听电话，请稍后再拨。", machine=True),
    Case(
        "h-cmn-personal-beep-noise",
        "cmn",
        "你好，我是王先生，我现在不方便接电话，有事请留言，谢谢。",
        machine=True,
        beep_hz=850,
        snr_db=15,
    ),
    Case(
        "h-en-vm-beep",
        "en-us",
        "Hi, you've reached the voicemail of Michael. I can't take your call right now, "
        "please leave a message after the tone.",
        machine=True,
        beep_hz=1400,
    ),
    Case(
        "h-en-carrier-beep-noise",
        "en-us",
        "The person you are calling is not available. Please record your message after the tone. "
        "When you are finished, hang up.",
        machine=True,
        beep_hz=440,
        snr_db=15,
    ),
    Case("h-en-short-nobeep", "en-us", "Sorry I missed you, leave me a message.", machine=True),
    Case("h-yue-vm-beep", "yue", "你好，我而家唔方便听电话，请留低口讯。", machine=True, beep_hz=1000),
    # --- live answers -----------------------------------------------------------------------
    Case("h-cmn-wei", "cmn", "喂？", machine=False, lead_ms=300),
    Case("h-cmn-wei-nihao-nawei-noise", "cmn", "喂，你好，哪位？", machine=False, snr_db=15),
    Case("h-cmn-late-nihao", "cmn", "你好。", machine=False, lead_ms=1200),
    Case("h-cmn-en-wei", "cmn", "嗯，喂？", machine=False),
    Case("h-en-hi", "en-us", "Hi.", machine=False),
    Case("h-en-whos-this-noise", "en-us", "Hello, who's this?", machine=False, snr_db=15),
    Case("h-en-late-yes", "en-us", "Yes?", machine=False, lead_ms=800),
    Case("h-yue-wei-bin", "yue", "喂，边位？", machine=False),
)
