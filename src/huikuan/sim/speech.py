"""How simulated people word what they mean: templates × slot values × fillers × ASR-style noise.

Written for the simulator, independently of the NLU's training data (never read from it), so a
simulated day exercises the NLU on sentences it has not seen. Each `Act` names the intent a
careful listener would hear in it (`Act.intent`); tests measure how often the NLU agrees.

zh-CN lines come out as speech recognition writes them: mostly no punctuation, fillers (呃,
那个, 就是), stutters, a few homophone errors (在/再, 的/得, 那/哪), and for some speakers
Cantonese written forms (系, 唔, 冇, 听日). en-US lines get fillers, lower case and the odd
dropped word. A `Voice` fixes a speaker's habits for a whole call.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum


class Act(StrEnum):
    """What a simulated person means by a line; the value is the intent it expresses."""

    CONFIRM = "confirm"
    ACK = "ack"
    ACCEPT = "accept"
    WRONG_NUMBER = "wrong_number"
    THIRD_PARTY = "third_party"
    RELAY = "relay"
    PROMISE = "promise"
    PROMISE_DATE_ONLY = "promise_date_only"
    AMOUNT_ONLY = "amount_only"
    DATE_ONLY = "date_only"
    ALREADY_PAID = "already_paid"
    HARDSHIP = "hardship"
    REQUEST_INSTALLMENT = "request_installment"
    DISPUTE = "dispute"
    REFUSE = "refuse"
    ABUSE = "abuse"
    REQUEST_HUMAN = "request_human"
    ASK_IF_ROBOT = "ask_if_robot"
    CALLBACK_LATER = "callback_later"
    STOP_CONTACT = "stop_contact"
    COMPLAINT = "complaint"
    ASK_DETAILS = "ask_details"
    ASK_PAYMENT_METHOD = "ask_payment_method"

    @property
    def intent(self) -> str:
        """The NLU intent label this act expresses."""
        return _INTENT[self]


_INTENT: dict[Act, str] = {
    Act.CONFIRM: "confirm_identity",
    Act.ACK: "other",
    Act.ACCEPT: "confirm_identity",
    Act.WRONG_NUMBER: "wrong_number",
    Act.THIRD_PARTY: "third_party",
    Act.RELAY: "confirm_identity",
    Act.PROMISE: "promise_to_pay",
    Act.PROMISE_DATE_ONLY: "promise_to_pay",
    Act.AMOUNT_ONLY: "promise_to_pay",
    Act.DATE_ONLY: "promise_to_pay",
    Act.ALREADY_PAID: "already_paid",
    Act.HARDSHIP: "hardship",
    Act.REQUEST_INSTALLMENT: "request_installment",
    Act.DISPUTE: "dispute",
    Act.REFUSE: "refuse_to_pay",
    Act.ABUSE: "abusive",
    Act.REQUEST_HUMAN: "request_human",
    Act.ASK_IF_ROBOT: "ask_if_robot",
    Act.CALLBACK_LATER: "callback_later",
    Act.STOP_CONTACT: "stop_contact",
    Act.COMPLAINT: "complaint",
    Act.ASK_DETAILS: "ask_details",
    Act.ASK_PAYMENT_METHOD: "ask_payment_method",
}

# Acts whose wording is clear enough that the NLU should get them (ACK is deliberately vague).
TYPICAL_ACTS: tuple[Act, ...] = tuple(a for a in Act if a not in (Act.ACK, Act.ACCEPT, Act.RELAY))

# --- zh-CN ---------------------------------------------------------------------------------------

ZH_AMOUNTS: tuple[str, ...] = (
    "两千",
    "三千",
    "三千五",
    "一千五",
    "五百",
    "八百块",
    "两千块",
    "一千",
    "1500",
    "2000块",
    "一万",
    "一万二",
    "四千",
    "六千块钱",
    "两千五百",
    "三千块",
    "五千",
)
ZH_DATES: tuple[str, ...] = (
    "明天",
    "后天",
    "大后天",
    "周五",
    "这周五",
    "下周一",
    "下礼拜三",
    "星期六",
    "月底",
    "15号",
    "20号",
    "下个月5号",
    "今天下午",
    "今晚",
    "下周二",
    "28号",
    "10号",
)
ZH_REASONS: tuple[str, ...] = (
    "最近失业了",
    "公司倒闭了",
    "家里老人住院了",
    "孩子生病了",
    "工资拖欠三个月了",
    "做生意亏了",
    "刚做完手术",
    "被裁员了",
    "疫情以后一直没活干",
    "老婆住院花了好多钱",
)

ZH: dict[Act, tuple[str, ...]] = {
    Act.CONFIRM: (
        "是我",
        "对是我",
        "嗯是我",
        "是的你说",
        "对对对",
        "是我什么事",
        "我就是",
        "嗯对",
        "是的",
        "对我就是",
        "是我本人",
        "是啊怎么了",
        "对的你讲",
    ),
    Act.ACK: ("嗯", "好的", "哦", "行吧", "知道了", "嗯嗯", "哦哦", "喂", "然后呢"),
    Act.ACCEPT: ("可以", "行那就这样", "好的可以", "那就这么办吧", "行没问题", "嗯可以的"),
    Act.RELAY: (
        "好的我转告他",
        "行我跟他说一声",
        "知道了我让他回电话",
        "好我会告诉她的",
        "嗯我帮你转达",
        "好的等他回来我跟他讲",
    ),
    Act.WRONG_NUMBER: (
        "你打错了",
        "不认识这个人",
        "你打错电话了吧",
        "这里没有这个人",
        "我不是他",
        "不是我你找错人了",
        "我不认识你说的这个人",
        "这个号码我刚办的不认识他",
        "没这个人",
    ),
    Act.THIRD_PARTY: (
        "他不在我是他家人",
        "她不在家我是她妈",
        "他出去了我是他老婆",
        "他不在你们是哪里",
        "我是他爸他在上班",
        "她在睡觉我是她老公有什么事",
        "他不在家我是他弟弟",
        "我是她家人她出门了",
    ),
    Act.PROMISE: (
        "{date}还{amount}",
        "我{date}就还",
        "哦我忘了{date}还",
        "不好意思{date}还{amount}",
        "{date}先还{amount}吧",
        "我{date}把钱还上",
        "行{date}我去还",
        "那我{date}还{amount}",
        "我会还的{date}还",
        "{date}一定还",
        "我{date}发工资就还{amount}",
        "马上还{amount}",
    ),
    Act.PROMISE_DATE_ONLY: ("{date}还吧", "{date}可以还", "{date}我去还", "我{date}处理"),
    Act.AMOUNT_ONLY: ("{amount}", "先还{amount}", "还{amount}吧", "{amount}可以吗", "全部还{amount}"),
    Act.DATE_ONLY: ("{date}", "{date}吧", "就{date}", "{date}可以", "{date}还"),
    Act.ALREADY_PAID: (
        "我已经还了啊",
        "我{date0}已经还过了",
        "早就还清了",
        "我都已经还了",
        "我前几天已经还了",
        "已经还过了你们查一下",
        "钱我已经还清了",
        "上周就还了",
    ),
    Act.HARDSHIP: (
        "{reason}手头紧",
        "{reason}实在还不上",
        "我真的没钱",
        "{reason}现在没钱还",
        "手头紧周转不开",
        "{reason}还不起啊",
        "唉我现在真的困难",
        "我现在没工作没钱",
        "实在是没钱了",
    ),
    Act.REQUEST_INSTALLMENT: (
        "能不能分期",
        "能分几期吗",
        "可以分期还吗",
        "我想分期",
        "能不能先还一部分",
        "{reason}能分期吗",
        "分六个月行不行",
        "能不能少还点",
        "可以分三期吗",
    ),
    Act.DISPUTE: (
        "这笔钱不是我借的",
        "我没借过这个",
        "金额不对吧",
        "我没有借这么多",
        "你们搞错了吧",
        "我身份被人冒用了",
        "这个数目不对",
        "这钱我不认",
        "账单有误",
    ),
    Act.REFUSE: (
        "我不会还的",
        "不还",
        "不想还",
        "我就是不还",
        "随便你们",
        "爱咋咋地",
        "凭什么还",
        "我没打算还",
        "不还你能怎么样",
        "我不打算还",
    ),
    Act.ABUSE: (
        "滚",
        "你们有病吧",
        "神经病",
        "去死吧骗子",
        "他妈的烦不烦",
        "滚别烦我",
        "你有病啊天天打",
        "骗子滚蛋",
        "王八蛋",
        "垃圾公司",
    ),
    Act.REQUEST_HUMAN: ("转人工", "我要找人工", "给我转人工客服", "找个真人来说", "我要人工服务"),
    Act.ASK_IF_ROBOT: ("你是机器人吗", "你是不是真人", "你是人吗", "这是录音吗", "你是AI吧"),
    Act.CALLBACK_LATER: (
        "我在开车晚点再说",
        "在忙回头再说",
        "我在开会等会儿打",
        "现在不方便晚点",
        "我在上班待会再说",
        "等一会儿再打过来",
        "我在开会",
    ),
    Act.STOP_CONTACT: (
        "别再打了",
        "不要再打了",
        "别再打电话了",
        "以后别打了",
        "不要再联系我",
        "再打我就报警了",
        "别打了行不行",
    ),
    Act.COMPLAINT: ("我要投诉你们", "我去投诉", "我要举报你们", "我打12378投诉你们", "信不信我投诉"),
    Act.ASK_DETAILS: (
        "什么事",
        "欠多少钱",
        "哪笔钱",
        "怎么回事",
        "你们是哪个平台",
        "什么钱啊",
        "你们是谁",
        "欠了多少",
    ),
    Act.ASK_PAYMENT_METHOD: ("怎么还", "在哪里还", "还款方式是什么", "怎么付款", "能用支付宝还吗", "在哪还"),
}

ZH_PREFIX: tuple[str, ...] = ("", "", "", "呃", "那个", "嗯", "喂", "就是", "哎", "啊")
ZH_SUFFIX: tuple[str, ...] = ("", "", "", "", "啊", "吧", "哈", "呢", "嘛")
# Misrecognitions an ASR makes on telephone Mandarin (one per line at most).
ZH_HOMOPHONES = (("在", "再"), ("的", "得"), ("那", "哪"), ("已经", "以经"), ("明天", "明田"), ("吧", "八"))
# Cantonese written forms for Cantonese-leaning speakers.
ZH_YUE = (
    ("不是", "唔系"),
    ("是", "系"),
    ("没有", "冇"),
    ("没", "冇"),
    ("不", "唔"),
    ("明天", "听日"),
    ("你们", "你哋"),
)

# --- en-US ---------------------------------------------------------------------------------------

EN_AMOUNTS: tuple[str, ...] = (
    "$200",
    "$500",
    "$1,200",
    "two hundred dollars",
    "300 bucks",
    "$150",
    "$1,000",
    "$750",
)
EN_DATES: tuple[str, ...] = (
    "tomorrow",
    "Friday",
    "next Monday",
    "the 15th",
    "end of the month",
    "on the 1st",
    "next Friday",
    "Thursday",
    "the 20th",
)
EN_REASONS: tuple[str, ...] = (
    "I lost my job",
    "I got laid off",
    "my hours got cut",
    "I was in the hospital",
    "my kid is sick",
    "rent just took everything",
)

EN: dict[Act, tuple[str, ...]] = {
    Act.CONFIRM: ("yes this is", "yeah that's me", "speaking", "yes it's me", "yeah what is it", "that's me"),
    Act.ACK: ("ok", "uh huh", "alright", "hmm", "sure", "hello"),
    Act.ACCEPT: ("ok that works", "yes I can do that", "sure let's do that", "alright fine"),
    Act.RELAY: ("ok I'll tell him", "sure I'll pass it on", "I'll let her know", "fine I'll have him call"),
    Act.WRONG_NUMBER: (
        "wrong number",
        "you have the wrong number",
        "I don't know who that is",
        "nobody by that name here",
        "this isn't them",
        "I just got this number",
    ),
    Act.THIRD_PARTY: (
        "he's not here this is his wife",
        "she's not home I'm her mom",
        "this is his brother he's at work",
        "she's out I'm her husband",
    ),
    Act.PROMISE: (
        "I can pay {amount} {date}",
        "I'll pay {date}",
        "I'll make a payment of {amount} {date}",
        "oh I forgot I'll pay it {date}",
        "I can send {amount} {date}",
        "I will pay {date} for sure",
    ),
    Act.PROMISE_DATE_ONLY: ("I can pay {date}", "{date} I'll pay", "I'll take care of it {date}"),
    Act.AMOUNT_ONLY: ("{amount}", "I can do {amount}", "maybe {amount}", "{amount} for now"),
    Act.DATE_ONLY: ("{date}", "{date} I guess", "by {date}", "how about {date}"),
    Act.ALREADY_PAID: (
        "I already paid that",
        "I paid it last week",
        "that's been paid off",
        "I already paid it",
    ),
    Act.HARDSHIP: (
        "{reason} I can't pay right now",
        "I don't have the money",
        "{reason} money is really tight",
        "{reason} and I'm broke",
    ),
    Act.REQUEST_INSTALLMENT: (
        "can I pay in installments",
        "can we set up a payment plan",
        "can I pay a little each month",
        "{reason} can I do a payment plan",
    ),
    Act.DISPUTE: (
        "that's not my loan",
        "I never borrowed that",
        "the amount is wrong",
        "I dispute this debt",
    ),
    Act.REFUSE: ("I'm not paying", "I won't pay that", "not paying you anything", "forget it I'm not paying"),
    Act.ABUSE: ("go to hell", "screw you", "you idiots", "shut up and leave me alone you jerks"),
    Act.REQUEST_HUMAN: ("let me talk to a person", "I want a real person", "transfer me to an agent"),
    Act.ASK_IF_ROBOT: ("are you a robot", "is this a recording", "am I talking to a real person"),
    Act.CALLBACK_LATER: ("I'm driving call me later", "I'm busy right now", "can you call back later"),
    Act.STOP_CONTACT: ("stop calling me", "don't call me again", "take me off your list"),
    Act.COMPLAINT: ("I'm going to file a complaint", "I'll report you to the CFPB", "I want to complain"),
    Act.ASK_DETAILS: ("what is this about", "how much do I owe", "what loan", "who is this"),
    Act.ASK_PAYMENT_METHOD: ("how do I pay", "where can I pay", "can I pay online", "what's the way to pay"),
}
EN_PREFIX: tuple[str, ...] = ("", "", "", "uh ", "um ", "well ", "look ", "yeah ", "so ")
EN_SUFFIX: tuple[str, ...] = ("", "", "", " ok", " alright", " I guess")


@dataclass(frozen=True, slots=True)
class Voice:
    """One speaker's habits for a call."""

    lang: str
    filler_rate: float  # chance of a filler before or after a line
    noise_rate: float  # chance of a recognition error or stutter in a line
    cantonese: bool  # writes some Cantonese forms (zh-CN only)
    punctuates: bool  # the ASR in use adds punctuation
    shouts: bool  # exclamation marks when angry

    @classmethod
    def draw(cls, rng: random.Random, lang: str, temper: int = 0) -> Voice:
        return cls(
            lang=lang,
            filler_rate=rng.choice((0.1, 0.3, 0.5)),
            noise_rate=rng.choice((0.05, 0.15, 0.3)),
            cantonese=lang == "zh-CN" and rng.random() < 0.1,
            punctuates=rng.random() < 0.25,
            shouts=temper >= 2,
        )


def _fill(template: str, voice: Voice, rng: random.Random) -> str:
    amounts: tuple[str, ...]
    past: tuple[str, ...]
    if voice.lang == "zh-CN":
        amounts, dates, reasons = ZH_AMOUNTS, ZH_DATES, ZH_REASONS
        past = ("昨天", "上周", "前天", "月初")
    else:
        amounts, dates, reasons = EN_AMOUNTS, EN_DATES, EN_REASONS
        past = ("yesterday", "last week")
    return template.format(
        amount=rng.choice(amounts), date=rng.choice(dates), reason=rng.choice(reasons), date0=rng.choice(past)
    )


def _noise_zh(text: str, voice: Voice, rng: random.Random) -> str:
    if voice.cantonese:
        for plain, yue in ZH_YUE:
            if plain in text and rng.random() < 0.6:
                text = text.replace(plain, yue, 1)
    if rng.random() < voice.noise_rate:
        choices = [(a, b) for a, b in ZH_HOMOPHONES if a in text]
        if choices:
            a, b = rng.choice(choices)
            text = text.replace(a, b, 1)
        elif len(text) >= 2:
            i = rng.randrange(len(text) - 1)
            text = text[: i + 1] + text[i] + text[i + 1 :]  # a stutter: 我我, 还还
    return text


def _noise_en(text: str, voice: Voice, rng: random.Random) -> str:
    words = text.split()
    if rng.random() < voice.noise_rate and len(words) > 3:
        del words[rng.randrange(1, len(words))]  # a word lost on the line
    if rng.random() < voice.noise_rate and words:
        i = rng.randrange(len(words))
        words.insert(i, words[i])  # a repeated word
    return " ".join(words)


def speak(act: Act, voice: Voice, rng: random.Random) -> str:
    """One line meaning `act`, worded as `voice` would say it."""
    zh = voice.lang == "zh-CN"
    text = _fill(rng.choice((ZH if zh else EN)[act]), voice, rng)
    text = _noise_zh(text, voice, rng) if zh else _noise_en(text, voice, rng)
    if rng.random() < voice.filler_rate:
        prefix = rng.choice(ZH_PREFIX if zh else EN_PREFIX)
        text = prefix + text
    if rng.random() < voice.filler_rate:
        text += rng.choice(ZH_SUFFIX if zh else EN_SUFFIX)
    angry = act in (Act.ABUSE, Act.COMPLAINT, Act.STOP_CONTACT, Act.REFUSE)
    if voice.shouts and angry:
        return text + ("！" if zh else "!")
    if voice.punctuates:
        end = "？" if zh and act.name.startswith("ASK") else ("。" if zh else ".")
        return (
            text + end if zh else text[:1].upper() + text[1:] + ("?" if act.name.startswith("ASK") else end)
        )
    return text
