"""Veiled threats as a combination: a TARGET the debtor cares about plus HARM or EXPOSURE wording.

The word frames in `zh`/`en` know the stock phrasings ("传出去", "it would be a shame if");
speakers find new ones by pairing any person or standing the debtor cares about (employer,
family, contacts, neighbours, reputation, 面子) with any hint that it will learn of the debt or
suffer ("知道", "闹大", "不好看", "find out", "embarrass", "affect"). This module looks for such a
pair in either order inside one sentence, within a short window, and lets a sentence pass when
the pair is negated an odd number of times between its two ends ("您的家人不会知道"; "不保证不会知道"
is two negations, so a hint), or when the sentence is a privacy assurance or a transfer offer.
Some harm words only mean exposure after the target ("your boss … find out"); the others
("a shame", "不好看") work on either side. Hand-written for the guard's usual reasons: no library
knows this policy, and every block must be explainable (`hint` returns the rule id).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class _Tables:
    target: re.Pattern[str]
    learns: re.Pattern[str]  # exposure words meaningful only after the target: the target learns
    harms: re.Pattern[str]  # harm words meaningful on either side of the target
    sentence_break: re.Pattern[str]
    clause_break: re.Pattern[str]
    negation: re.Pattern[str]
    not_negation: re.Pattern[str]  # questions and idioms that contain a negation word
    assurance: re.Pattern[str]  # privacy assurances and lawful notices: the sentence passes
    window: int
    tag_question: re.Pattern[str]  # a rhetorical tag turns a denial into a hint ("…吧", "…, right?")
    handling: re.Pattern[str]  # hardship and relayed-message lines that name a target lawfully
    not_a_target: re.Pattern[str]  # target words too plain for the default-deny rule ("your phone")
    extra_target: re.Pattern[str]  # targets only the default-deny rule uses ("people", "everyone")
    prefix: int  # how far before the target a negation still denies the pair ("nobody at your work")


_ZH = _Tables(
    target=re.compile(
        r"通讯录|联系人(?!工|员)|单位|(?<!催收)(?<!我们)(?<!本)(?<!贷款)公司|领导|老板|上司|同事|人事|家人|家里人|家里|全家|父母|爸妈|爸爸|妈妈|老人|孩子|子女|儿子|女儿"
        r"|老婆|老公|爱人|妻子|丈夫|媳妇|姐姐|哥哥|弟弟|妹妹|兄弟|姐妹|叔叔|阿姨|舅舅|姑姑|爷爷|奶奶|外公|外婆|丈母娘|老丈人|婆家|娘家|对象|邻居|街坊|朋友|圈子|朋友圈"
        r"|亲戚|亲友|亲人|学校|同学|老师|名声|面子|名誉|声誉"
        r"|脸面|颜面|村里|小区"
    ),
    learns=re.compile(
        r"知道|知悉|获悉|知晓|得悉|听说|听到|得知|发现|晓得|关心|议论|打听|问起|看到|看见|收到|接到(?:电话)?|接(?:了|过)?(?:家里|我们)?的?电话|找上|找到|问(?:您|你)"
    ),
    harms=re.compile(
        r"闹大|搞大|闹开|闹得|闹到|人尽皆知|尽人皆知|满城风雨|传出去|传开|传到|传遍|曝光|公开|上门|不好看|难看|(?:有|惹|找|添|带来|大)麻烦|麻烦(?:大|就大|了)|操心"
        r"|丢人|丢脸|难做|难堪"
        r"|多不好|不太好|(?<!您也)不好(?!意思)|说不准|不保证|还要不要|要不要了|往哪(?:儿)?(?:搁|放)|挂不住|抬不起头"
        r"|影响|受牵连|连累|担心|着急|笑话|看不起|尴尬|不体面|跟着|经不起|受不了|受刺激|气坏|气出病"
    ),
    sentence_break=re.compile(r"[。！？!?;；]"),
    clause_break=re.compile(r"[,，:：]"),
    negation=re.compile(r"不|没|别(?!人|的)|无需|绝不|从不|从未|并非"),
    not_negation=re.compile(
        r"会不会|是不是|要不要|能不能|说不准|不保证|不好|难道不|不太好|好不好|不管|不想|不希望|不愿意|迟早|早晚|不一定|未必|免得|鸡犬不宁"
    ),
    assurance=re.compile(
        r"保密|隐私|只会(?:请|让|麻烦)|转告|不会(?:联系|告诉|透露|泄露|打扰|通知|找|上门|让)|不会.{0,4}(?:联系|告诉|透露|打扰)|征信|法律规定|合同约定"
        r"|转(?:接)?人工|可以(?:和|跟|与)|商量|帮忙|帮您"
    ),
    window=22,
    tag_question=re.compile(r"吧[。？?！!]?$"),
    handling=re.compile(
        r"理解|困难|申请|借钱|失业|丢了|转告|回(?:个)?电(?:话)?|是.{0,8}的?(?:家人|朋友|同事|亲戚)吗|分期|延期|规划"
    ),
    not_a_target=re.compile(r"^$"),
    extra_target=re.compile(
        r"社交圈|圈子|工作的地方|上班的地方|群里|大家|别人|所有人|街坊|周围的人|身边的人|紧急联系人|担保人|家(?:里|中)"
    ),
    prefix=6,
)

_EN = _Tables(
    target=re.compile(
        r"\b(?:(?:your|his|her|their) (?:[\w-]+ )?(?:employer|boss|manager|supervisor|job|work|workplace"
        r"|office"
        r"|company|hr|co-?workers?|colleagues?|family|wife|husband|spouse|partner|parents|mother|father|mom"
        r"|dad|kids?|children|son|daughter|friends?|buddies|pals|neighbou?rs|landlord|church|school"
        r"|contacts?(?! (?:preferences?|information|info|details|number|method|settings|history))"
        r"|contact list"
        r"|pastor|priest|teacher|coach|gym|club|congregation|hr department|hr"
        r"|phone ?book|phone|relatives|in-laws|reputation|name|standing|community|congregation|team"
        r"|sister|brother"
        r"|siblings|cousins?|aunt|uncle|grandparents|grandmother|grandfather|father-in-law|mother-in-law)"
        r"|people (?:at|in) (?:work|your \w+)|the neighbou?rs|neighbou?rs|co-?workers|colleagues)\b"
    ),
    learns=re.compile(
        r"\b(?:find(?:s|ing)? out|found out|hear(?:s|d|ing)?|learn(?:s|ed|ing)?"
        r"|(?<!let me )(?<!let us )know(?:s|ing)?|knew|ask(?:s|ed|ing)?"
        r" (?:questions|about)|get(?:s|ting)? (?:a )?(?:call|calls|letter|wind)|catch(?:es)? wind"
        r"|care(?:s)? about this"
        r"|see(?:s|ing)? you|sees|(?:would|will|might) think|think(?:s)? of you|would say|say about"
        r"|talk(?:ing)? about|notice|wonder"
        r"|curious|want to know|got involved|get involved|gets involved|picks? up the phone"
        r"|answers? the phone"
        r"|checks? (?:in )?on|looks? into"
        r"|(?:may|might|could|will|would) (?:also |then |soon |eventually )?be (?:contacted|called"
        r"|notified|informed|told|reached))\b"
    ),
    harms=re.compile(
        r"\b(?:embarrass\w*|humiliat\w*|shame|shameful|awkward|hate|affect\w*|hurt\w*|damag\w*|ruin\w*|harm"
        r"|tarnish\w*|stain\w*|jeopardi[sz]\w*|spread\w*|gossip\w*|whisper\w*|talk|look bad|uncomfortable"
        r"|a pity|field day|laugh at|have a laugh|problem with|trouble with|questions|worry about"
        r"|imagine|picture|got out|gets out|get out"
        r"|came out|comes out)\b"
    ),
    sentence_break=re.compile(r"[.!?](?!\d)"),
    clause_break=re.compile(r"[,;:]|\b(?:but|and|so)\b"),
    negation=re.compile(r"\b(?:not|never|no one|nobody|no|none|neither|nor|without)\b"),
    not_negation=re.compile(
        r"\b(?:no guarantee|not guarantee|cannot guarantee|cannot promise|not promise|not sure|no telling"
        r"|would not want|do not want|would not like|not want|no idea|should not have to|never want"
        r"|not the only|not like|might not be able|may not be able|rather not|hate to)\b"
    ),
    assurance=re.compile(
        r"\b(?:privacy|private|confidential|(?:never|not) (?:contact|call|share|tell|discuss|reach out"
        r"|disclose"
        r"|notify|speak)\w*|credit (?:bureau|report)|as (?:your|the) agreement|permit\w*|allow\w* by law"
        r"|transfer|talk (?:it )?over with|help you)\b"
    ),
    window=70,
    tag_question=re.compile(
        r"(?:,|\.|\.\.\.)\s*right\s*\?$"
        r"|, (?:does|do|is|are|would|will|can|did) (?:she|he|they|it|you)(?: not)?\s*\?$"
    ),
    handling=re.compile(
        r"\b(?:hardship|understand|lost your job|losing your job|lose your job|going through|caring for"
        r"|good time to call|ask (?:him|her|them) to|have (?:you|him|her) call|call (?:us|me|[a-z]+) back"
        r"|still correct|message for|employer plan|benefits?)\b"
    ),
    not_a_target=re.compile(r"\b(?:phone|name|job|standing)$"),
    extra_target=re.compile(
        r"\b(?:your references?|emergency contacts?|everyone|everybody|people (?:you|in|at|around)"
        r"|your (?:mom|dad|kids|home|household|building|neighbou?rhood|town|circle|social media|workplace"
        r"|position at work)"
        r"|at home|where you work|where (?:your|they) live|social media|facebook|instagram)\b"
    ),
    prefix=25,
)

_TABLES = {"zh-CN": _ZH, "en-US": _EN}


def _negated_between(t: _Tables, span: str) -> bool:
    """An odd count of negations between the target and the harm: the pair is denied."""
    span = t.not_negation.sub(" ", span)
    return len(t.negation.findall(span)) % 2 == 1


def _clause_tail(t: _Tables, text: str) -> str:
    """The part of `text` after its last comma: a negation in an earlier clause is not this one's."""
    return t.clause_break.split(text)[-1]


def hint(normalized: str, lang: str) -> str | None:
    """The rule id when `normalized` pairs a target with harm or exposure wording, else None."""
    t = _TABLES.get(lang)
    if t is None:
        return None
    for sentence in t.sentence_break.split(normalized):
        if not sentence or t.assurance.search(sentence):
            continue
        for target in t.target.finditer(sentence):
            lead = _clause_tail(t, sentence[max(0, target.start() - t.prefix) : target.start()])
            after = sentence[target.end() : target.end() + t.window]
            for pattern in (t.learns, t.harms):
                word = pattern.search(after)
                if word is not None and not _negated_between(t, lead + after[: word.start()]):
                    return f"{lang[:2]}.veiled_threat.target_then_harm"
            before_start = max(0, target.start() - t.window)
            for word in t.harms.finditer(sentence, before_start, target.start()):
                denied = _clause_tail(
                    t, sentence[max(0, word.start() - t.prefix) : word.start()]
                )  # "请不要担心"
                between = sentence[max(word.end(), target.start() - t.prefix) : target.start()]
                if not _negated_between(t, denied + between):
                    return f"{lang[:2]}.veiled_threat.harm_then_target"
    return _mentions_target(t, normalized, lang)


def _mentions_target(t: _Tables, normalized: str, lang: str) -> str | None:
    """Default-deny: a robot sentence has no reason to bring up the debtor's family, workplace,
    contacts or standing, so any such mention is a hint unless the text is an assurance."""
    if t.assurance.search(normalized):
        return None
    rhetorical = t.tag_question.search(normalized) is not None  # "… doesn't need to know, right?"
    for sentence in t.sentence_break.split(normalized):
        # A negated sentence ("您的家人不会知道", "we won't call your family") was judged by the
        # pair rules above, which count negations; handling lines (hardship, a relayed message)
        # are what the scripts need.
        negated = t.negation.search(t.not_negation.sub(" ", sentence)) is not None and not rhetorical
        if negated or t.handling.search(sentence):
            continue
        targets = [m.group() for m in t.target.finditer(sentence)]
        if any(not t.not_a_target.search(word) for word in targets) or t.extra_target.search(sentence):
            return f"{lang[:2]}.veiled_threat.target_mentioned"
    return None


__all__ = ["hint"]
