"""Identity statements, default-deny: the robot may say who it is only in an approved honest form.

A blacklist of human claims ("我是真人", "I'm a real person") plateaus: speakers find new ways
to sound human (a personal name, a job title, 工号, "a live specialist", "亲自"). So any
first-person identity statement, or a human role word said about the speaker, is a human claim
unless the text says, not negated, that the speaker is an AI/assistant/robot/automated/virtual
(智能/机器人/语音助手), or that it is not a person (不是真人, "not a person"), or offers to transfer
to a person ("我可以为您转接人工", "I can connect you to an agent"). Hand-written for the guard's
usual reasons: no library knows this policy, and every block names its rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class _Tables:
    sentence_break: re.Pattern[str]
    ident: re.Pattern[str]  # a first-person identity statement on its own
    self_human: re.Pattern[str]  # a human role word said about the speaker
    negated_ai: re.Pattern[str]  # "not an automated assistant", "不是机器人": removed before approval
    approved: re.Pattern[str]  # an honest AI form or an honest "not a person"
    transfer: re.Pattern[str]  # an offer to hand the call to a person
    neutral: re.Pattern[str]  # wording about the debtor, not the speaker ("是您本人", "the right person")


_ZH = _Tables(
    neutral=re.compile(r"(?:您|你|他|她|机主)本人"),
    sentence_break=re.compile(r"[。！？!?;；]"),
    ident=re.compile(
        r"我(?:就|也|本人)?是(?!说|想|问|觉得|怕|担心|在|为了|来|打|否|不是|指)|我叫|我姓|(?:^|我)本人(?:姓|叫|是|就是|[,，])"
        r"|^本人(?!吗)|我本人|我的工号|工号\s*[\d零一二三四五六七八九]"
    ),
    self_human=re.compile(
        r"(?:我(?!们)|这边|这里|现在是|这是|作为|亲自)[^，,：:]{0,12}"
        r"(?:真人|人工|工作人员|员工|客服(?!中心|热线|电话)|专员|坐席|顾问|经理|同事|有家庭|打工|普通人|亲自|真实的|活人)"
        r"|亲自(?:打|给|跟|和|来)|不是(?:自动|机器|录音|系统)"
    ),
    negated_ai=re.compile(
        r"(?:不是|并非|并不是|可不是)(?:一个|什么)?[^，,。！？]{0,2}(?:智能|机器人|语音助手|ai|虚拟|自动|系统|录音)"
    ),
    approved=re.compile(
        r"智能|机器人|语音助手|ai|虚拟|自动(?:语音|外呼|应答|助手)|不是真人|并非真人|非真人|不是人工|不是工作人员"
    ),
    transfer=re.compile(
        r"(?:为您|帮您|给您|可以|能|现在|正在)转(?:接|给|人工)|转人工|转接(?:人工|工作人员)"
        r"|转(?:到|至)(?:人工|客服|工作人员|专员)"
        r"|(?:提交|交|转|反馈)给|由.{0,2}(?:专员|工作人员|同事)|有(?:专员|工作人员|同事).{0,4}(?:人工|工作人员|专员|同事)|(?:请|让|安排).{0,4}(?:人工|工作人员|专员|同事).{0,6}(?:联系|回电|审核|处理)"
        # "我会请工作人员跟进": the answer prompt's own words, handing a question to a person
        r"|(?:请|让|安排|交给|转给)(?:我们的?|专门的?|相关的?|平台的?)?(?:人工|工作人员|专员|同事|客服(?!中心))"
    ),
)

_EN = _Tables(
    neutral=re.compile(r"\b(?:the right|the correct|the same|another|a different) (?:person|party)\b"),
    sentence_break=re.compile(r"[.!?;](?!\d)"),
    ident=re.compile(
        r"\bmy name(?: is|'s)\b|\bi am (?:a|an|the|your|one of|just a|just an|just one)\b(?! sorry)"
        r"|\bthis is (?!a |an |the |to |about |not |what |why |how |where |when |it\b|just |because |our "
        r"|your |my |regarding |{)[a-z]+(?: [a-z]+)? (?:from|with|at|on|in|calling|here)\b"
        r"|\bit is me\b|\bcall me [a-z]+\b|\b(?:hi|hello|hey)(?: there)?,? [a-z]+ (?:from|with|at)\b"
        r"|\bit is (?!the |a |an |about |not |just |your |our |time |now )[a-z]+"
        r" (?:from|with|at|calling|here)\b"
        # "This is Robert Chen, senior collections officer": a name and a job
        r"|\bthis is [a-z]+ [a-z]+, (?:[\w-]+ ){0,3}(?:officer|agent|specialist|manager|representative|rep"
        r"|collector|advisor|adviser|supervisor|associate|counselor)\b"
    ),
    self_human=re.compile(
        r"\b(?:i|me|myself|this is|that is me|you have (?:got )?(?:a|an)|you are (?:speaking|talking)"
        r" (?:to|with)|transferred to|as an?)\b[^.;!?,]{0,40}\b(?:person|people|human|humans|live|real"
        r"|actual|staff|employee|agent|representative|rep|specialist|manager|colleague|team member"
        r"|working stiff|breathing)\b"
        r"|\b(?:i have|i have got|i got) (?:a )?(?:family|kids|bills)\b"
    ),
    negated_ai=re.compile(
        r"\b(?:not|no|never) (?:a |an |some )?(?:[\w-]+ ){0,2}?(?:ai|assistant|robot|bot|machine|recording"
        r"|robocall|automated|virtual|computer)\b(?: [\w-]+)?"
    ),
    approved=re.compile(
        r"\b(?:ai|artificial intelligence|assistant|robot|bot|automated|virtual|machine|computer program"
        r"|not (?:a |an )?(?:real |live |actual )?(?:person|human|human being|agent)"
        r"|debt collector attempting)\b"
    ),
    transfer=re.compile(
        r"\b(?:connect|transfer|put)(?:ing|ting)? (?:you|your call) (?:to|with|through)\b"
        r"|\btransferring you\b"
        r"|\b(?:speak|talk) (?:to|with) (?:a|an|one of) (?:[\w-]+ ){0,2}(?:agent|person|representative|member"
        r"|specialist)\b[^.;!?]{0,30}\b(?:if you|would you|do you|can|you may|you can)\b"
        r"|\b(?:have|get|send (?:it|this|your [\w-]+)(?: over)? to|pass (?:it|this) to"
        r"|refer (?:it|you) to|ask)"
        r" (?:a|an|one of our) (?:[\w-]+ ){0,2}(?:agent|person|representative|specialist|team member|staff)\b"
        r"|\b(?:a|an) (?:[\w-]+ )?(?:specialist|agent|team member|representative|person) "
        r"(?:will|who will|to call|to contact|can)\b|\bpass (?:this|it) on to\b"
    ),
)

_TABLES = {"zh-CN": _ZH, "en-US": _EN}


def hint(normalized: str, lang: str) -> str | None:
    """The rule id when `normalized` makes an identity statement that is not an approved honest
    form, else None."""
    t = _TABLES.get(lang)
    if t is None:
        return None
    whole = t.negated_ai.sub(" ", normalized)
    if t.approved.search(whole):
        return None
    for sentence in t.sentence_break.split(t.neutral.sub(" ", normalized)):
        if not sentence or t.transfer.search(sentence):
            continue
        if t.ident.search(sentence) or t.self_human.search(sentence):
            return f"{lang[:2]}.human_claim.identity_not_approved"
    return None


__all__ = ["hint"]
