"""English phrases a debtor says at three dialogue nodes: the ASR hints for tests and benches.

The pocketsphinx model that ships is US English, so these are what the shipped engine is
measured on (tests/voice/test_asr.py, bench/voice_latency.py); a Chinese deployment gives
its Vosk/sherpa-onnx engine the zh-CN script's phrases the same way.
"""

from __future__ import annotations

EN_NODE_HINTS: dict[str, tuple[str, ...]] = {
    "identity": (
        "yes this is him",
        "yes speaking",
        "this is she",
        "wrong number",
        "who is calling",
        "he is not here",
        "no",
        "yes",
    ),
    "payment": (
        "I lost my job can I pay in installments",
        "I already paid",
        "I will pay tomorrow",
        "I can pay next friday",
        "I cannot pay",
        "I want to talk to a person",
        "please stop calling me",
        "that is not my debt",
        "how much do I owe",
    ),
    "close": (
        "thank you",
        "goodbye",
        "can you repeat that",
        "I need more time",
        "send me a message",
    ),
}


def hints_for(
    lang: str, node_id: str, *, verifies_identity: bool = False, ends: bool = False
) -> tuple[str, ...]:
    """The phrases the ASR should expect after the robot speaks at `node_id`.

    Only the shipped US-English model uses a grammar; a Chinese deployment's Vosk or sherpa-onnx
    model recognises free speech, so zh-CN gets no hints. An identity question expects identity
    answers, a closing line expects closings, anything else the payment conversation.
    """
    if not lang.startswith("en"):
        return ()
    if node_id in EN_NODE_HINTS:
        return EN_NODE_HINTS[node_id]
    if verifies_identity:
        return EN_NODE_HINTS["identity"]
    if ends:
        return EN_NODE_HINTS["close"]
    return EN_NODE_HINTS["payment"] + EN_NODE_HINTS["close"]
