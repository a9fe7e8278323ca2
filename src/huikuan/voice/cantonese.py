"""Cantonese speech: the written line normalised for espeak-ng's `yue` voice, and its Jyutping.

espeak-ng's `yue` voice pronounces characters (unlike its `cmn` dictionary), but it reads
digits its own way: "3500.50元" becomes 三千五百五零元 and a phone number one long number. So a
line for `yue` is first written in characters exactly as for Mandarin (`mandarin.normalise`:
amounts, dates, percentages, phone digits), with 1 said 一 in a phone number (幺 is Mandarin
only). Our scripts are written Chinese (书面语) read in Cantonese pronunciation, as Hong Kong news
reads; colloquial Cantonese scripts (冇, 係, 唔該) are not shipped yet.

`espeak_jyutping` turns espeak-ng's phoneme mnemonics (`espeak-ng -x -v yue`) into Jyutping
syllables so what the voice says can be compared with an independent Cantonese dictionary
(`bench/cantonese_pronunciation.py`): no Cantonese speech recogniser ships in any package this
project can install, so pronunciation is the honest check there is. Hand-written because no
library reads espeak-ng's mnemonics; the mapping is espeak-ng's `yue` phoneme table: the tone
digit sits after the nucleus (before a final -m/-n/-p/-t/-k, after -ng), `N` is the onset ng, and
7/8/9 are the entering-tone variants of 1/3/6.
"""

from __future__ import annotations

import re
import subprocess

from huikuan.voice.mandarin import normalise

CANTONESE = "yue"  # the voice name callers use (`voice_for_dialect("yue")`, `--voice yue`)

_SYLLABLE = re.compile(
    r"(?P<onset>gw|kw|ng|[bpmfdtnlgkhwzcsjN])?"
    r"(?P<nucleus>[aeiouy]+(?:ng)?|ng|m)"
    r"(?P<tone>[1-9])"
    r"(?P<coda>[mnptk](?![aeiouy]))?"
)
_ENTERING = {"7": "1", "8": "3", "9": "6"}


def cantonese_text(text: str) -> str:
    """The characters espeak-ng's `yue` voice is given for `text`."""
    return normalise(text, one="一")


def espeak_jyutping(mnemonics: str) -> list[str]:
    """Jyutping syllables of espeak-ng `-x` output for `yue` ("s'aang1 N'o5 j'a1m" → saang1 ngo5 jam1)."""
    out: list[str] = []
    for word in mnemonics.split():
        letters = re.sub(r"[',_|:;]", "", word)
        for m in _SYLLABLE.finditer(letters):
            onset = "ng" if m["onset"] == "N" else (m["onset"] or "")
            out.append(f"{onset}{m['nucleus']}{m['coda'] or ''}{_ENTERING.get(m['tone'], m['tone'])}")
    return out


def spoken_jyutping(text: str, binary: str = "espeak-ng") -> list[str]:
    """The Jyutping syllables the `yue` voice says for `text` (normalised as a call would)."""
    done = subprocess.run(  # noqa: S603 - fixed argument list, text goes on stdin
        [binary, "-q", "-x", "-v", CANTONESE, "--stdin"],
        input=cantonese_text(text).encode("utf-8"),
        capture_output=True,
        timeout=10,
        check=True,
    )
    return espeak_jyutping(done.stdout.decode("utf-8", "replace"))
