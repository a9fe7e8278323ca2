"""What a debtor is expected to say at a dialogue node: the ASR hints, per language.

English: phrases for the shipped pocketsphinx model's JSGF grammar (it hears only these; tests
and benches measure it on them). Mandarin: the vocabulary of each kind of node, given to Whisper
as its initial prompt, which biases it towards these words without restricting it (free speech
is still heard). The Mandarin phrases were written from the zh-CN scripts' intents, not from the
lines the recogniser is measured on (tests/voice/debtor_lines.py), though they share words.
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


ZH_NODE_HINTS: dict[str, tuple[str, ...]] = {
    "identity": ("是我", "我是本人", "对", "不是", "打错了", "你找谁", "他不在", "我是他家人"),
    "payment": (
        "还款",
        "还钱",
        "我已经还了",
        "分期",
        "没钱",
        "失业了",
        "下个月还",
        "明天还",
        "不是我借的",
        "别打了",
        "投诉",
        "人工",
        "机器人",
        "欠多少",
        "怎么还",
    ),
    "close": ("好的", "知道了", "谢谢", "再见", "再说一遍", "发短信给我"),
}


def hints_for(
    lang: str, node_id: str, *, verifies_identity: bool = False, ends: bool = False
) -> tuple[str, ...]:
    """The phrases the ASR should expect after the robot speaks at `node_id`.

    An identity question expects identity answers, a closing line expects closings, anything
    else the payment conversation. English hints are a grammar (pocketsphinx hears only them);
    Chinese hints are Whisper's prompt. Other languages get none.
    """
    if lang.startswith("en"):
        table = EN_NODE_HINTS
    elif lang.startswith(("zh", "yue", "cmn")):
        table = ZH_NODE_HINTS
    else:
        return ()
    if node_id in table:
        return table[node_id]
    if verifies_identity:
        return table["identity"]
    if ends:
        return table["close"]
    return table["payment"] + table["close"]
