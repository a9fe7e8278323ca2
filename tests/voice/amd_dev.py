"""AMD development set: the cases `voice.amd`'s thresholds were tuned on (see `amd_heldout.py`)."""

from __future__ import annotations

from tests.voice.amd_render import Case

CMN_VM = "您好，您拨打的用户暂时无法接听，请在提示音后留言。"
EN_VM = (
    "Hello, you have reached the voicemail of John. I am not available right now. "
    "Please leave a message after the beep."
)

DEV: tuple[Case, ...] = (
    # --- machines ---------------------------------------------------------------------------
    Case("d-cmn-vm-beep", "cmn", CMN_VM, machine=True, beep_hz=1000),
    Case("d-cmn-vm-nobeep", "cmn", CMN_VM, machine=True),
    Case("d-cmn-vm-beep-noise", "cmn", CMN_VM, machine=True, beep_hz=1000, snr_db=15),
    Case("d-en-vm-beep", "en-us", EN_VM, machine=True, beep_hz=1000),
    Case("d-en-vm-nobeep-noise", "en-us", EN_VM, machine=True, snr_db=15),
    Case(
        "d-en-name-number-beep",
        "en-us",
        "Please leave your name and number and I will call you back.",
        machine=True,
        beep_hz=800,
    ),
    Case(
        "d-yue-vm-beep",
        "yue",
        "你好，你打嘅电话暂时未能接通，请喺嘟一声之后留言。",
        machine=True,
        beep_hz=1000,
    ),
    # --- live answers -----------------------------------------------------------------------
    Case("d-cmn-wei", "cmn", "喂？", machine=False),
    Case("d-cmn-wei-nawei", "cmn", "喂，哪位？", machine=False),
    Case("d-cmn-wei-nihao-noise", "cmn", "喂，你好", machine=False, snr_db=15),
    Case("d-cmn-silence-wei", "cmn", "喂", machine=False, lead_ms=1500),
    Case("d-en-hello", "en-us", "Hello?", machine=False),
    Case("d-en-yeah-hello-noise", "en-us", "Yeah, hello?", machine=False, snr_db=15),
    Case("d-en-late-hello", "en-us", "Hello?", machine=False, lead_ms=1000),
    Case("d-yue-wei", "yue", "喂？", machine=False),
)
