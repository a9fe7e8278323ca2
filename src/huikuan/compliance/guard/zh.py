"""zh-CN concepts and frames of the content guard (see `frames` for the engine, `policy` for why)."""

from __future__ import annotations

import re

from huikuan.compliance.guard.frames import Concept, Frame, FrameSet
from huikuan.compliance.guard.types import Category as C
from huikuan.compliance.guard.types import Context as X

_YOU = "(?:您|你)"
_NOT_PUNCT = r"[^,.!?;:。]"

# A negation word close before a hit, in the same clause, with no condition or wish in between:
# "我们不会上门" negates 上门; "不还就上门", "不想让同事知道", "不得不通知" do not negate.
_NEGATION = re.compile(
    r"(?:(?<!得)不(?!得|然)|没有|没|无需|别|从未|并非)"
    rf"(?:(?!还|处理|配合|接|付|交|就|的话|否则|希望|想|愿|让|理|回)(?:{_NOT_PUNCT})){{0,9}}$"
)


# "为什么不找朋友借", "要不我们联系…", "何不…" are suggestions, not negations.
_SUGGESTION = re.compile(r"(?:为什么|为啥|干嘛|何)不$|要不$")


def _negated(text: str, start: int) -> bool:
    negation = _NEGATION.search(text, max(0, start - 12), start)
    if negation is None:
        return False
    return _SUGGESTION.search(text, max(0, negation.start() - 3), negation.start() + 1) is None


_FAMILY = (
    "家人|家里人|全家|父母|爸妈|老婆|老公|爱人|妻子|丈夫|子女|孩子|亲戚|亲人|亲朋好友|亲友|亲属|"
    "姐姐|哥哥|弟弟|妹妹|兄弟|姐妹|岳父|岳母|公公|婆婆|女朋友|男朋友|对象|室友|房东"
)
_WORK = rf"{_YOU}(?:的|们)?(?:工作)?(?:单位|公司|领导|老板|同事|人事)|单位(?:领导|的人|人事)|同事"

CONCEPTS: tuple[Concept, ...] = (
    # --- threat ---------------------------------------------------------------------------
    Concept(
        "threat_idiom",
        (
            "后果自负",
            "后果(?:很|会很|非常|相当)?严重",
            "别怪.{0,6}(?:不客气|无情|翻脸)",
            "有你好(?:受|看)的?",
            "看着办",
            "(?:走|等)着瞧",
            "付出代价",
            "收拾你",
            "有的是办法",
            "不会太平",
            "日子不(?:会)?好过",
            "跑得了和尚",
            "不留情面",
            "掂量",
            "吃不了兜着走",
            "迟早.{0,3}出事",
            "发生什么.{0,8}不能保证",
            "知道你住(?:在)?哪",
            "找不到你",
            "(?:人身|自己的|您的|你的)安全",
            "当心",
            "小心(?:点|些|一点)",
            "对你没(?:有)?好处",
            "没(?:有)?好下场",
            "你会后悔",
            "我们的人",
            "就不是我(?:给你)?打电话",
            "(?:试试|等着)[,!?。]?看",
            "识相",
            "别逼(?:我|我们)",
            "(?:别的|其他|特殊|非常)手段",
            "躲(?:得|不)(?:掉|了)|别想躲|躲到哪",
            f"(?:{_YOU}(?:的|家)?)?地址我们",
        ),
    ),
    Concept(
        "visit_home",
        (
            "上门(?!.{0,3}费)",
            f"到{_YOU}家",
            f"去{_YOU}(?:家|那)",
            "家门口",
            "派人",
            "外访",
            f"(?:去|来)找{_YOU}",
            f"找到{_YOU}",
            f"(?:{_YOU}(?:家|小区|楼下)|小区)附近",
            f"(?:去|来)看看{_YOU}",
            "登门",
        ),
        negatable=True,
    ),
    Concept("family", (_FAMILY,)),
    Concept("anti_fraud_advice", ("谨防", "防范", "警惕", "冒充.{0,10}(?:诈骗|骗子)", "诈骗电话")),
    Concept("bad_for_family", ("不太好", "没好处", "出事", "遭殃", "不安全")),
    # --- insult ---------------------------------------------------------------------------
    Concept(
        "insult",
        (
            "老赖",
            "不要脸",
            "没脸没皮",
            "要(?:不要)?点脸",
            "(?<!谨防)(?<!冒充)(?<!防范)骗子",
            "无赖",
            "无耻",
            "垃圾",
            "废物",
            "人渣",
            "畜生",
            "白眼狼",
            "是猪",
            "脑子(?:有|进)",
            "听不懂人话",
            "有什么用",
            "丢人",
            "可耻",
            "活该",
            "放屁",
            "德行",
            "吃软饭",
            "穷鬼",
            "穷成这样",
            "怎么教你",
            "活着有什么意思",
            "混蛋",
            "王八",
            "傻(?:逼|子|瓜)",
            "白痴",
            "智障",
            "蠢货",
            "没出息",
            f"{_YOU}这种人",
            "(?:没信用|什么|不是)的?东西",
            "装孙子",
            "当大爷",
            "厚脸皮|脸皮(?:真)?厚",
        ),
    ),
    # --- false legal claim ----------------------------------------------------------------
    Concept(
        "legal_harm",
        (
            "立案",
            "报案",
            "报警",
            "拘留",
            "坐牢",
            "判刑",
            "逮捕",
            f"抓(?:{_YOU}|人|起来|走)",
            "被抓",
            "带走",
            "带人",
            "通缉",
            "刑事",
            "犯罪",
            "涉嫌",
            "诈骗(?!电话|短信|风险)",
            "恶意(?:透支|欠款|拖欠|逃废债|逃债)",
            "转(?:到|给)经侦",
            "经侦(?:部门|介入)",
            "传票",
            "开庭",
            "起诉",
            f"告{_YOU}",
            "诉讼",
            "司法程序",
            "强制执行",
            "冻结",
            "查封",
            "拍卖",
            "黑名单",
            "失信",
            "限(?:制)?(?:高消费|出境|出行)",
            "坐不了",
            "(?:子女|孩子).{0,12}(?:上学|考公|受影响|工作)",
            "护照",
            "律师函",
            "移交(?:公安|司法|法院|经侦)",
            "法院.{0,6}(?:来人|执行|传)",
            "拒不履行",
            "一辈子.{0,8}(?:贷款|借)",
            "全国.{0,8}(?:银行|黑名单)",
            "(?:公安|警方|警察).{0,8}(?:联系|找|上门|带|抓)",
            "违法|犯法|吃官司|打官司|判决",
            "(?:递交|提交|交)(?:给|到)?法院",
            "失信名单|纳入.{0,4}名单",
            "出行.{0,3}受限|受限出行",
        ),
        negatable=True,
        disowned_by=r"[”\"']?,?[^.!?;。]{0,8}?(?:并不存在|不存在|没有这(?:种|个|回事)|是谣言)",
    ),
    # --- impersonation --------------------------------------------------------------------
    Concept(
        "authority_self",
        (
            r"(?:我|我们|这里|这边|本人|咱们)(?:这边|这里)?(?:就)?(?:是|来自|代表)"
            rf"{_NOT_PUNCT}{{0,10}}?(?:法院|公安|派出所|警察|民警|警官|检察|律师|律所|政府|监管局|银保监|"
            "金融监管|网警|经侦|执行局|执行庭|书记员|法官|执法)",
            "受.{0,6}(?:法院|公安|政府|检察院)(?:的)?委托",
            "以.{0,6}(?:法院|公安|检察院|政府|律师)的?名义",
            "(?:有|拥有)执法权",
            "执法人员",
        ),
    ),
    # --- exposure -------------------------------------------------------------------------
    Concept(
        "audience",
        (
            "通讯录",
            "紧急联系人",
            "亲朋好友",
            "朋友圈",
            "微博",
            "抖音",
            "网上",
            "家族群",
            "建个群",
            "所有人",
            "大家都",
            "邻居",
            "小区",
            "村里",
            _FAMILY,
            _WORK,
            "朋友",
        ),
    ),
    Concept(
        "tell",
        (
            "告诉",
            "告知",
            "通知",
            "联系",
            "打(?:个)?电话给",
            r"给.{0,10}打(?:个)?电话",
            "发给",
            "发到",
            "群发",
            "曝光",
            "公开",
            "贴",
            "横幅",
            "大字报",
            "知道",
            "寄到",
            "说明情况",
            "劝劝",
            "督促",
            "拉进来",
        ),
        negatable=True,
    ),
    Concept(
        "visit_work",
        (rf"(?:去|到|上)(?:{_YOU})?(?:的)?(?:单位|公司)", "(?:单位|公司)门口", "拜访"),
        negatable=True,
    ),
    Concept("work", (_WORK, "单位")),
    # --- deceptive amount -----------------------------------------------------------------
    Concept(
        "multiply",
        (
            "翻(?:倍|番|两倍|三倍|几倍|一倍)",
            r"(?:双|两|三|四|五|十|几|\d+)倍",
            "多付一倍",
            "(?:涨|滚|累计|加)到",
            r"上涨\d+%",
            "利滚利",
            r"每(?:天|小时|日).{0,8}(?:涨|增长|加收|多|额外)",
            "拖一天就多",
            "一共是.{0,3}万",
            r"不是\d+了",
        ),
    ),
    Concept(
        "fake_fee",
        (r"(?:上门|催收|加急|处理|管理|手续|服务|律师|诉讼|外访|通道|解冻|保证金|工本)费",),
        negatable=True,
    ),
    Concept(
        "charge",
        (
            "额外",
            "加收",
            "需要",
            "必须",
            "先交",
            "缴纳",
            "承担",
            "要交",
            "多交",
            "收取",
            "一共",
            "交",
            "得还",
            "得付",
            "要付",
            "加上",
        ),
        negatable=True,
    ),
    Concept("lawful_basis", ("按合同", "合同约定", "根据合同", "按照合同", r"为0元", "免费", "不收")),
    # --- pressure to borrow ---------------------------------------------------------------
    Concept(
        "borrow_source",
        (
            "(?:找|向|跟|问)(?:你|您)?(?:的)?(?:朋友|亲戚|亲友|家人|家里人|同事|爸妈|父母|老婆|老公|别人|他们)"
            ".{0,4}(?:借|要|凑)",
            "借(?:点|一下|一笔|些)",
            "去借",
            "再借",
            "网贷",
            "(?:其他|别的)(?:借款|贷款)?平台",
            "贷款平台",
            "下款",
            "口子",
            "(?:刷|用)信用卡",
            "信用卡.{0,2}(?:刷|套现)",
            "套现",
            "以贷养贷",
            "(?:信用卡|花呗|借呗|白条|额度).{0,8}(?:刷|套|借|还)",
            "先刷",
            "身边的人",
            "借(?:给)?(?:你|您)(?:点|一些|些|一笔)",
            "小额贷款",
            "卖了",
            "卖掉",
            "抵押",
            "凑一凑",
            "凑钱",
            "凑齐",
            "垫上",
            r"帮.{0,3}垫",
        ),
        negatable=True,
    ),
    Concept("dissuade", ("不建议", "不会要求", "不要求", "不需要.{0,4}借", "避免")),
    # --- third parties --------------------------------------------------------------------
    Concept(
        "debt",
        (
            "欠",
            "借款",
            "借了",
            "贷款",
            "贷后",
            "逾期",
            "还款",
            "还钱",
            "还清",
            "还上",
            "还一下",
            "没还",
            "不还",
            "未还",
            "要还",
            "催收",
            "账单",
            "债",
            "应还",
            "账款",
            r"\d+(?:\.\d+)?元",
            "帮他还",
        ),
    ),
    # --- human claim ----------------------------------------------------------------------
    # The robot saying it is a person ("我是真人客服小王") or denying it is a machine ("我可不是
    # 什么机器人"); "我不是真人" and "转人工客服" are not claims.
    Concept(
        "human_self",
        (
            r"(?:我|本人|这边|在下|咱)(?:是|就是|可是|确实是|真的是|绝对是|也是)(?:一个|一名|一位|个)?"
            r"(?:真人|真正的人|真实的人|活人|活生生的人|人类|有血有肉|人工客服|人工坐席|人工(?!智能)|人(?=[,.!?]|$|啊|呀|哦))",
            rf"(?:跟|和|与){_YOU}(?:说话|通话|聊天|沟通|对话|讲话)的(?:是|就是|可是)(?:一个|一位)?(?:真人|活人|人工|人(?=[,.!?]|$))",
            rf"{_YOU}?(?:现在)?(?:是在)?(?:跟|和|与)(?:一个|一位)?(?:真人|活人)(?:在)?(?:通话|说话|聊|沟通|对话)",
            "活生生的人|(?<![转接找要换])真人(?:客服|坐席)?(?:在线|值守)",
            "(?:我|本人|这边|现在)[^,.!?]{0,8}(?<![转接找要换])真人(?:客服|坐席)?(?:为您|服务|接听)",
            "(?:我|本人|这边)[^,.!?]{0,6}(?<![转接找要换])真人客服(?!.{0,4}(?:转|接|联系))",
            "(?<![转接找要换])真人(?:哦|哈|呢|啊|呀|喔|一个)|(?:我|本人)(?:是)?真实的(?:工作人员|客服|员工)",
        ),
        negatable=True,
    ),
    Concept(
        "denies_machine",
        (
            r"(?:我|这|这边|本人|跟您说话的|这通电话)?(?:可|并|真|真的|绝对|也)?不是(?:什么)?(?:机器人|机器|ai\b|ai(?=[\u3400-\u9fff])|"
            "人工智能|智能(?:语音|客服|助手|机器人)|语音助手|录音|自动语音|电脑|程序)",
        ),
    ),
    # --- veiled threat ------------------------------------------------------------------
    # A hint at exposure without saying "we will tell": work, neighbours, family, reputation.
    Concept(
        "veiled",
        (
            "闹大|搞大|闹开|传出去|传开|传到|张扬出去|声张",
            rf"(?:对|影响(?:到)?){_YOU}(?:的)?(?:工作|单位|前途|名声|声誉|名誉|形象|面子|家庭|家人|孩子|婚姻|事业|生意|口碑|人缘)",
            "(?:名声|名誉|声誉|颜面|面子|脸面|形象)(?:上)?.{0,4}(?:不好|难看|受损|扫地|不保|毁|坏|丢|过不去|挂不住)",
            "丢面子|丢脸|没面子|难堪|脸上无光|抬不起头|怎么做人|怎么见人|有头有脸|多难看|多丢人|社死",
            "(?:家里|家人|家庭|全家|祖上|父母)(?:的)?(?:名声|名誉|声誉|颜面|脸面|面子)",
            "(?:邻居|同事|领导|街坊|村里|亲戚|大家|别人|周围的人)(?:们)?.{0,6}(?:听说|议论|闲话|看到|传)",
            "好自为之|(?:懂|明白)我的意思",
            "(?:万一|要是|一旦).{0,12}(?:知道了|传出去|传开|发现了|闹)",
            "让.{0,6}(?:同事|领导|邻居|家人|亲戚|朋友|爱人|老婆|老公|孩子|父母|家里人|大家|别人|周围)(?:们)?"
            ".{0,4}(?:觉得|认为|以为|知道|发现|看到|听到|议论|看不起|笑话)",
            "(?:毁|坏|砸|丢|损)(?:了|掉)?.{0,8}(?:形象|名声|声誉|名誉|前途|饭碗|人品|口碑|信誉)",
            "(?:工作|饭碗|前途|位子|职位).{0,8}(?:丢|不保|保不住|难保|悬)",
        ),
        negatable=True,
    ),
    # Idioms that hint whatever negation stands before them ("别因为这点钱丢了饭碗").
    Concept(
        "veiled_idiom",
        (
            "丢(?:了|掉)?饭碗|砸(?:了)?饭碗|难做人|指指点点|说三道四|闲言碎语|风言风语|要面子|爱面子|好面子|低头不见抬头见",
        ),
    ),
    # --- disclosure -----------------------------------------------------------------------
    Concept(
        "ai_label",
        (
            "智能",
            "语音助手",
            r"\bai\b",
            "ai(?=[\u3400-\u9fff])",
            "人工智能",
            "机器人",
            "虚拟助手",
            "语音客服",
            "自动语音",
        ),
        negatable=True,
    ),
)

_OUTSIDERS = frozenset({X.THIRD_PARTY, X.VOICEMAIL})

FRAMES: tuple[Frame, ...] = (
    Frame("zh.insult.lexicon", C.INSULT, ("insult",), vetoes=("anti_fraud_advice",)),
    Frame("zh.impersonation.self_authority", C.IMPERSONATION, ("authority_self",)),
    Frame(
        "zh.legal.invented_consequence", C.FALSE_LEGAL_CLAIM, ("legal_harm",), vetoes=("anti_fraud_advice",)
    ),
    Frame("zh.exposure.tell_audience", C.EXPOSURE_THREAT, ("audience", "tell")),
    Frame("zh.exposure.visit_workplace", C.EXPOSURE_THREAT, ("work", "visit_work")),
    Frame("zh.amount.multiplied", C.DECEPTIVE_AMOUNT, ("multiply",)),
    Frame("zh.amount.fake_fee", C.DECEPTIVE_AMOUNT, ("fake_fee", "charge"), vetoes=("lawful_basis",)),
    Frame("zh.borrow.source", C.PRESSURE_TO_BORROW, ("borrow_source",), vetoes=("dissuade",)),
    Frame("zh.threat.idiom", C.THREAT, ("threat_idiom",)),
    Frame("zh.threat.visit_home", C.THREAT, ("visit_home",)),
    Frame(
        "zh.threat.family_harm",
        C.THREAT,
        ("family", "bad_for_family"),
        yields_to=(C.EXPOSURE_THREAT,),
    ),
    Frame("zh.human_claim.self", C.HUMAN_CLAIM, ("human_self",)),
    Frame("zh.human_claim.denies_machine", C.HUMAN_CLAIM, ("denies_machine",)),
    Frame("zh.veiled_threat.hint", C.VEILED_THREAT, ("veiled",), yields_to=(C.EXPOSURE_THREAT,)),
    Frame(
        "zh.veiled_threat.idiom",
        C.VEILED_THREAT,
        ("veiled_idiom",),
        yields_to=(C.EXPOSURE_THREAT, C.VEILED_THREAT),
    ),
    Frame("zh.third_party.debt_mentioned", C.THIRD_PARTY_DISCLOSURE, ("debt",), contexts=_OUTSIDERS),
    Frame(
        "zh.opening.no_ai_label",
        C.MISSING_DISCLOSURE,
        (),
        absent=("ai_label",),
        contexts=frozenset({X.OPENING}),
    ),
)

FRAME_SET = FrameSet(CONCEPTS, FRAMES, _negated)
