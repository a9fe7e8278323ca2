"""Does the Cantonese voice say our lines as Cantonese speakers would? One JSON line.

No Cantonese speech recogniser ships in any package this project can install (Whisper base has
no Cantonese token; sherpa-onnx, FunASR and SenseVoice packages download their weights at run
time), so the independent check is on pronunciation: every distinct spoken text of every
shipped zh-CN script (slots filled from the sample debtor) is normalised as a call does
(`voice.cantonese.cantonese_text`), and the Jyutping syllables espeak-ng's `yue` voice says
(`espeak-ng -x`, read by `voice.cantonese.espeak_jyutping`) are compared with the readings of
ToJyutping, a Cantonese pronunciation dictionary built from rime-cantonese (another project, other
authors), for the same characters in context.

Printed: the syllable error rate (edits over the dictionary's syllables, as a CER), the same
ignoring tones, the share of aligned syllables equal to the dictionary's reading in context and
the share equal to any reading it lists for the character (syllables aligned one to one, tones
ignored for the alignment), and the most frequent disagreements with the reading in context.
This checks what is said, not how it sounds: espeak-ng's formant voice stays robotic.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
from collections import Counter

import ToJyutping

from huikuan.voice.cantonese import cantonese_text, spoken_jyutping
from huikuan.voice.intelligibility import cer, script_lines


def dictionary_reading(text: str) -> list[tuple[str, str]]:
    """(character, Jyutping in context) for every character ToJyutping knows in `text`."""
    return [(char, reading) for char, reading in ToJyutping.get_jyutping_list(text) if reading]


def toneless(syllables: list[str]) -> list[str]:
    return [re.sub(r"\d", "", s) for s in syllables]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10, help="how many frequent disagreements to print")
    args = parser.parse_args()

    texts = list(dict.fromkeys(line.text for line in script_lines("zh-CN")))
    edits = toneless_edits = reference_syllables = 0.0
    aligned = in_context = any_reading = 0
    disagreements: Counter[str] = Counter()
    for text in texts:
        expected = dictionary_reading(cantonese_text(text))
        reference = [reading for _, reading in expected]
        said = spoken_jyutping(text)
        edits += cer(reference, said) * len(reference)
        toneless_edits += cer(toneless(reference), toneless(said)) * len(reference)
        reference_syllables += len(reference)
        matcher = difflib.SequenceMatcher(a=toneless(reference), b=toneless(said), autojunk=False)
        for tag, a0, a1, b0, b1 in matcher.get_opcodes():
            if tag not in ("equal", "replace") or a1 - a0 != b1 - b0:
                continue  # syllables inserted or dropped: counted in the error rates only
            for k in range(a1 - a0):
                char, reading = expected[a0 + k]
                heard = said[b0 + k]
                aligned += 1
                in_context += heard == reading
                candidates = ToJyutping.get_jyutping_candidates(char)[0][1]
                any_reading += heard in candidates
                if heard != reading:
                    disagreements[f"{char} {heard}≠{reading}"] += 1
    print(
        json.dumps(
            {
                "bench": "cantonese_pronunciation",
                "voice": "espeak-ng yue",
                "dictionary": "ToJyutping (rime-cantonese)",
                "lines": len(texts),
                "syllables": int(reference_syllables),
                "syllable_error_rate": round(edits / reference_syllables, 3),
                "toneless_syllable_error_rate": round(toneless_edits / reference_syllables, 3),
                "aligned_syllables": aligned,
                "same_as_dictionary_in_context": round(in_context / aligned, 3),
                "a_reading_the_dictionary_lists": round(any_reading / aligned, 3),
                "frequent_disagreements": dict(disagreements.most_common(args.top)),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
