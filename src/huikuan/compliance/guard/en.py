"""en-US concepts and frames of the content guard (see `frames` for the engine, `policy` for why).

Patterns run on normalised text: lower case, contractions expanded ("won't" → "will not").
"""

from __future__ import annotations

import re

from huikuan.compliance.guard.frames import Concept, Frame, FrameSet
from huikuan.compliance.guard.types import Category as C
from huikuan.compliance.guard.types import Context as X

# A negation up to four words before a hit, in the same clause, where none of the words in
# between turns it into a condition ("if you do not pay we will…") or a wish.
_NEGATION = re.compile(
    r"\b(?:not|never|no|nobody|no one|cannot|without)"
    r"(?:\s+(?!pay|paid|paying|respond|answer|cooperate|if|unless|and|but|or|t"
    r"hen|want|wish|like)[\w'$]+){0,4}"
    r"\s+$"
)


# "Why not borrow…", "why do not we call…", "could not your parents lend…" are suggestions, not negations.
_SUGGESTION = re.compile(
    r"(?:\bwhy (?:\w+ ){0,2}not|(?:^|[,.;:!?] ?)(?:can|could|would|will|do|does|should)(?: not|not))\b"
)


def _negated(text: str, start: int) -> bool:
    negation = _NEGATION.search(text, max(0, start - 60), start)
    if negation is None:
        return False
    return _SUGGESTION.search(text, max(0, negation.start() - 12), negation.end()) is None


_POSS = r"(?:your|his|her|their)"
_AUDIENCE = (
    rf"{_POSS} (?:\w+ )?(?:employer|boss|manager|job|work(?:place)?|office|company|hr|co-?workers?|"
    r"colleagues?|family|wife|husband|spouse|partner|parents|mother|father|mom|dad|kids|children|"
    r"friends?|neighbou?rs|landlord|church|references|emergency contacts?|contacts|phone ?book|"
    r"contact list|relatives|in-laws|sister|brother|siblings|cousins?|aunt|uncle|girlfriend|boyfriend|"
    r"roommates?)"
    r"|everyone (?:you know|in your)|social media|facebook|instagram|online|the internet|group chat"
    r"|hr at|at work|neighbou?rs"
)

CONCEPTS: tuple[Concept, ...] = (
    # --- threat ---------------------------------------------------------------------------
    Concept(
        "threat_idiom",
        (
            r"regret (?:it|this)|you will regret|you will be sorry",
            r"do not blame us",
            r"(?<!about )(?<!ask )what happens next|see what happens|wait and see|what comes next",
            r"we know where you (?:live|work)",
            r"think (?:carefully|it over|twice)",
            r"something (?:bad )?(?:\w+ )?happens?|happen to you",
            r"life (?:is )?(?:going to )?(?:get|be) .{0,20}harder",
            r"bad luck|if you know what i mean",
            r"one way or another",
            r"make you pay|make sure you never forget",
            r"(?:get|gets|getting) (?:ugly|nasty|serious)",
            r"(?:not|never) end well|will not be pretty",
            r"go easy on you",
            r"for your own (?:safety|sake|good)",
            r"face the consequences|or else",
            r"(?:come|coming) (?:to )?find you|cannot find you|we will find you",
            r"in your neighbou?rhood|our people",
            r"last chance",
            r"we (?:will|would) hate for (?:something|anything)",
            r"force us|other (?:methods|means|ways)",
            r"(?:think|believe) you can hide|cannot hide|you can run",
            r"we have your (?:home )?address",
        ),
    ),
    Concept(
        "visit_home",
        (
            r"(?:send|sending|sent) (?:someone|somebody|a team|people|collectors|agents|our \w+)"
            r"(?: \w+){0,3} (?:to your|over|round)",
            r"(?:at|to) your (?:door|doorstep|house|home|place)",
            r"collect in person",
            r"field agents?",
            r"(?:stop|drop|come) by|pay you a visit|in your (?:area|street|building)",
        ),
        negatable=True,
    ),
    Concept("family", (rf"{_POSS} (?:family|wife|husband|kids|children|parents)",)),
    # --- insult ---------------------------------------------------------------------------
    Concept(
        "insult",
        (
            r"\bdeadbeats?\b",
            r"\blosers?\b",
            r"\bscum(?:bag)?s?\b",
            r"\bthief\b|\bthieves\b",
            r"\bworthless\b",
            r"\bstupid\b|\bidiots?\b|\bmorons?\b|\bdumb\b",
            r"ashamed of yourself",
            r"\bpathetic\b",
            r"grow up",
            r"low-?lifes?\b",
            r"(?:you are|you) (?:a |an )?(?:\w+ )?(?:fraud|liar|cheat|crook|con artist|bum|parasite|leech)\b",
            r"\bliar\b|\bcon artist\b",
            r"\bshameless\b|\bdisgusting\b|\bfreeloaders?\b",
            r"you people",
            r"shut up",
            r"no wonder you are broke",
            r"excuse for a (?:person|human)",
            r"\btrash\b|\bgarbage\b",
            r"stop lying",
            r"(?:people|someone|folks) like you|no integrity|no shame|\bbum\b",
        ),
    ),
    # --- false legal claim ----------------------------------------------------------------
    Concept(
        "legal_harm",
        (
            r"\barrest(?:ed|ing)?\b",
            r"\bjail\b|\bprison\b|\bsentenced\b",
            r"\bcriminal\b|\ba crime\b",
            r"\bwarrant\b",
            r"\bblacklist(?:ed)?\b",
            r"\bgarnish",
            r"\bsu(?:e|ing|ed)\b|\blawsuit\b|take you to court",
            r"\bsummons\b",
            r"\bseiz(?:e|ing|ure)\b|\brepossess",
            r"(?:that|this) is (?:now )?(?:a )?fraud|fraud case|for theft",
            r"(?:forward|refer|hand|turn)(?:ed|ing)? (?:\w+ )?(?:over )?to the (?:district attorney|police|"
            r"prosecutor|authorities)",
            r"(?:court|judge|police|sheriff) (?:will|is going to|are going to) (?:send|come|issue|order)|"
            r"take you in\b|haul you",
            r"\bprosecut",
            r"charges (?:against|filed)|filed charges",
            r"(?:call|report you to|involve|contact) the police|police (?:will|are)",
            r"license (?:will be )?suspend",
            r"\bdeport",
            r"(?:accounts?|assets?) (?:will be )?frozen|freeze (?:all )?your",
            r"ruin your credit|never get credit|no bank .{0,30}lend",
            r"(?:children|kids) .{0,30}(?:responsible|affected)",
            r"take your (?:house|home|car)",
            r"case has been opened|legal notice",
            r"illegal|against the law|in court\b|\bjudge\b|judgment",
            r"banned from (?:flying|travel)|no-fly|travel ban",
        ),
        negatable=True,
        disowned_by=r"[\"']?\s?(?:does not exist|is not real|is a myth)",
    ),
    # --- impersonation --------------------------------------------------------------------
    Concept(
        "authority_self",
        (
            r"(?:this is|i am|we are|i work for|calling (?:from|on behalf of)|on behalf of|with the|from the)"
            r" (?:(?!not\b)[\w'.]+ ){0,4}?(?:officer|detective|sheriff|police|court|judge|attorney|lawyer|"
            r"law firm|irs|fbi|department of justice|government|federal|process server|clerk|"
            r"financial crimes|attorney general)",
        ),
        negatable=True,
    ),
    # --- exposure -------------------------------------------------------------------------
    Concept(
        "tell_audience",
        (
            r"(?:call(?:ed)?|contact(?:ed)?|tell|told|notif(?:y|ied)|inform(?:ed)?|let|reach(?:ed)? out to|"
            r"talk(?:ing|ed)? to|visit|email(?:ed)?|text(?:ed)?|message|write to|send|sending|sent|"
            r"share|shared|discuss|post(?:ed)?|mention)(?: [\w'$,]+){0,6}? " + f"(?:{_AUDIENCE})",
            r"(?:we|we will|i will|should we|let us|going to) ask " + f"(?:{_AUDIENCE})",
            r"visit you at work",
        ),
        negatable=True,
    ),
    Concept(
        "audience_learns",
        (
            f"(?:{_AUDIENCE})"
            + r"(?: (?!not\b|never\b)[\w']+){0,6}? (?:find out|finds out|know|hear|hearing|heard|learn|"
            r"would think|will see|might see)",
        ),
        negatable=True,
    ),
    Concept(
        "made_public",
        (
            r"post your (?:name|photo|picture|debt|information|details)",
            r"(?:photo|name|picture|debt) (?:\w+ )?(?:goes|go|will go) (?:up|online|public)",
            r"share (?:this|it) on",
            r"make (?:this|it) public",
        ),
        negatable=True,
    ),
    # --- deceptive amount -----------------------------------------------------------------
    Concept(
        "multiply",
        (
            r"\bdoubl(?:e|es|ed|ing)\b(?!-check)|\btripl(?:e|es|ed|ing)\b|\bquadrupl",
            r"\btwice (?:what|as much|the)",
            r"\b(?:three|four|five|ten|\d+) times\b",
            r"jumps? by|goes up by|grows? (?:by )?\d+ ?%|\d+ ?% (?:per|a|every) day",
            r"snowball",
            r"every (?:day|hour) .{0,20}(?:adds?|another|extra|\$)",
            r"adds? another \$",
            r"grown to|you now owe|not the \$",
            r"pay double",
        ),
    ),
    Concept(
        "fake_fee",
        (
            r"(?:collection|processing|service|convenience|reinstatement|attorney|legal|administrative|admin|"
            r"handling|filing|court|recovery|visit) (?:fees?|charges?)",
        ),
        negatable=True,
    ),
    Concept(
        "charge",
        (
            r"additional|extra|added|must pay|have to pay|owe|mandatory|required|before we can|\$\d|"
            r"charge|pay a|there is a",
        ),
        negatable=True,
    ),
    Concept("lawful_basis", (r"under your (?:agreement|contract)|per your (?:agreement|contract)|no fee",)),
    # --- pressure to borrow ---------------------------------------------------------------
    Concept(
        "borrow_source",
        (
            r"borrow(?:ing)? (?:the |some |it |that )?(?:money )?from (?!us\b)",
            r"borrow (?:the |some )?money|borrow it|borrow there",
            r"take out (?:a |another )?(?:\w+ )?loan|payday loan|title loan|loan app",
            r"cash advance",
            r"(?:put|charge) it on (?:your|a) credit card|use your credit card|new credit card|"
            r"(?:transfer the|balance) transfer",
            r"sell your|\bpawn\b",
            r"lend you|chip in|spot you|cover it for you",
            r"401 ?\(?k\)?|retirement (?:account|savings)",
            r"another lender|other lenders",
            r"room on your (?:credit )?card",
            r"(?:credit card|credit line|line of credit).{0,40}(?:pay us|to pay|use it)",
        ),
        negatable=True,
    ),
    Concept("dissuade", (r"(?:do not|never) (?:recommend|suggest|ask)|so you do not need",)),
    # --- third parties --------------------------------------------------------------------
    Concept(
        "debt",
        (
            r"\bdebts?\b|\bowes?\b|\bowed\b|\bowing\b",
            r"overdue|past[- ]due|behind on|delinquen|arrears",
            r"\bbalance\b|\bpayments?\b|\bpay (?:his|her|the|this|what|it)|\bloans?\b|\bbills?\b",
            r"collections?\b|\bcollect\b|\bcollector",
            r"\$ ?\d",
            r"(?:your|his|her|the|an|overdue) account",
            r"\bborrowed\b|\bcreditor\b|\binstallments?\b",
        ),
    ),
    # --- human claim ----------------------------------------------------------------------
    # The robot saying it is a person, or denying it is a machine; "I am not a real person" and
    # "I can connect you with a real person" are not claims.
    Concept(
        "human_self",
        (
            r"\bi am (?:a |an )?(?:real|live|actual|living|flesh and blood|genuine)(?: live)? "
            r"(?:person|human|human being|agent|representative|rep|woman|man|guy|lady)\b",
            r"\bi am (?:a |an )?human(?: being| agent| representative)?\b",
            r"\bi am (?:just |only |simply |actually )?(?:a |an )?(?:regular|normal|ordinary|real|actual"
            r"|live|human)"
            r"(?: [\w-]+)? (?:person|human|guy|woman|man|lady|employee|agent|rep|representative|being"
            r"|collector|caller"
            r"|worker|staffer|associate|specialist|officer)\b",
            r"\b(?:talking|speaking|chatting) (?:to|with) (?:a |an )?(?:real|live|actual|human) "
            r"(?:person|human|agent|representative|rep|being)\b",
            r"\byou are (?:talking|speaking|chatting) (?:to|with) (?:a |an )?(?:real "
            r"|live |actual )?(?:person|human)",
            r"\bthis is (?:a |an )?(?:real|live|actual) (?:person|human)",
            r"\bas a fellow (?:human|person|human being)\b|\bas a human(?: being)?, i\b",
            r"\b(?:this (?:call|message|communication|conversation) is (?:from|with)|you are (?:hearing"
            r"|getting) from)"
            r" (?:a |an )?(?:human|real|live|actual)\b",
            r"\bthere is a (?:real|live|actual) (?:person|human) on (?:the|this|my|our) (?:line|end|call"
            r"|phone)",
            r"\bi am (?:just |only )?(?:flesh and blood|made of flesh)\b",
            r"\b(?:talking|speaking|chatting) (?:to|with) [\w ,]{0,20}\b(?:a|an) (?:real|live|actual) "
            r"(?:person|human|agent|representative|rep|being)\b",
            r"\bno (?:robot|bot|machine|ai|recording) (?:here|on (?:this|the|my) (?:call|line|phone|end))\b",
            r"\byou (?:have|have got|got|are with) (?:a |an )?(?:real |live |actual )?(?:human|person)\b",
            r"\bi am\b[^.;!?]{0,30}(?<!not )\b(?:a|an) (?:real|live|actual|human) "
            r"(?:person|human|agent|representative|rep|being)\b",
            r"\bi am (?:just )?(?:a |an )(?:(?!not\b)[\w-]+ ){0,2}(?:person|human being|human)\b",
            # "I'm a real customer service rep", "me, a real person", "Mike, your rep, a real person"
            r"\bi am (?:a |an )?(?:real|live|actual|human)(?: [\w-]+){0,3} (?:person|human|agent|rep"
            r"|representative"
            r"|employee|woman|man|being|voice|staff)\b",
            r"\b(?:me|i am|this is [\w ,]{1,50}|it is just me(?: here)?), (?:just )?(?:a|an) (?:real"
            r"|live|actual|human"
            r"|flesh and blood|regular|normal|ordinary|tired|busy) "
            r"(?:person|human|being|agent|rep|guy|woman|man|lady|employee)\b",
            r"\bnot (?:a |an )?(?:robot|bot|machine|ai|computer)\b, (?:just |only )?(?:a "
            r"|an )?(?:[\w-]+ )?(?:human|person"
            r"|guy|woman|man|lady|employee)\b",
            # what only a person does: sits in an office, has worked somewhere for years, calls personally
            r"\bi am (?:sitting|standing|here) (?:at my desk|in (?:our|the|my) office)"
            r"|\bi am sitting (?:at|in)\b",
            r"\bi (?:have|had) (?:worked|been working) (?:here|at|for|with) (?:\w+ ){0,3}(?:years?"
            r"|months?)\b",
            r"\b(?:i am )?(?:calling you|handling (?:this|it|your account)) personally\b|\bi am personally\b",
            r"\bi am (?:a |an )?(?:person|human) just like you\b",
        ),
    ),
    Concept(
        "denies_machine",
        (
            r"\bi am\b[^.;!?]{0,40}\bnot (?:some |an |a |just )?(?:ai|robot|bot|machine|computer"
            r"|recording)\b",
            r"\b(?:i am|this is|you are (?:talking|speaking) (?:to|with)) (?:definitel"
            r"y |really |actually |honestly )?"
            r"not (?:a |an )?(?:robot|bot|machine|computer|recording|ai|automated|"
            r"artificial|recorded|virtual)",
            r"\bnot (?:a |an )?(?:robot|bot|machine|recording)\b, i am\b",
            r"\bi am no (?:robot|bot|machine|computer|recording|ai)\b",
            r"\b(?:a|any|no) (?:machine|robot|bot|computer|ai) (?:could not|cannot|can not|would not"
            r"|could)\b[^.;!?]{0,40}"
            r"\blike i (?:do|can|did)\b",
            r"\byou are not (?:talking|speaking|chatting) (?:to|with) (?:a |an |some )?(?:robot|bot"
            r"|machine|computer"
            r"|recording|ai|automated)",
            r"\bi am not (?:some |an |a |just )?(?:automated|automatic|artificial|virtual"
            r"|recorded) (?:system|voice"
            r"|assistant|agent|program|message|caller)\b(?!.{0,20}\bi am (?:an? )?(?:ai|automated"
            r"|virtual|bot))",
        ),
    ),
    # --- veiled threat ------------------------------------------------------------------
    # A hint at exposure without "we will tell": work, neighbours, family, reputation.
    Concept(
        "veiled",
        (
            r"\b(?:shame|pity|awful|terrible|unfortunate|embarrassing|awkward|sad|bad) if\b",
            r"\b(?:neighbou?rs|co-?workers|colleagues|boss|employer|manager|family|job|office|company|hr"
            r"|school|"
            r"kids|children|friends|church|landlord|"
            r"community|relatives|in-laws|everyone|people at work)(?: (?!not\b|never\b)[\w']+"
            r"){0,7}? (?:found out|find out|finds out|"
            r"hear about|heard about|to hear|learned|knew|know about|got wind|catch wind|caught wind)",
            r"\bword (?:gets|got|get|getting|would get) (?:out|around)|\bget(?:ting"
            r"|s)? around\b|\bpeople talk\b|"
            r"\bsmall town\b|\bword travels\b|\bnews travels\b|\brumou?rs?\b|\bif word\b",
            r"\b(?:affect|hurt|damage|ruin|harm|tarnish|stain|jeopardi[sz]e) (?:your|"
            r"his|her) (?:reputation|standing|"
            r"good name|name|career|job|position|marriage|family|relationships?|promotion|raise|chances)",
            r"\byour (?:[\w']+ ){0,2}(?:reputation|good name|standing in)",
            r"\bhow (?:it|this|that) (?:would|might|will|could) look\b|\bhow would (?:it|that|this) look\b|"
            r"\bwhat (?:would|will|might) (?:people|the neighbou?rs|your [\w-]+) (?:think|say)",
            r"\b(?:imagine|picture) (?:how|what) your\b",
            r"\b(?:employer|boss|manager|family|neighbou?rs|co-?workers|colleagues|kids|spouse|wife|husband)"
            r"(?: [\w']+){0,4} (?:want|like|love|enjoy) (?:to )?(?:hear|know|find out|learn)(?:ing)?\b",
            r"\b(?:have|has) a way of (?:coming out|getting out|getting around|getting to|spreading"
            r"|surfacing)",
            r"\beveryone knows everyone|\bif it (?:came|comes|come) to that\b",
            r"\b(?:embarrassing|humiliating|awkward|uncomfortable) for you\b",
            r"\b(?:people|folks|neighbou?rs|communities|towns?|offices?) (?:do |tend to )?talk\b",
            r"\b(?:a lot|too much|everything|so much) to lose\b",
            r"\bfollow you (?:around|for|the rest)|\bhaunt you\b|\bcome back to (?:bite|haunt) you\b",
            r"\b(?:boss|employer|manager|family|neighbou?rs|co-?workers|colleagues) (?:[\w']"
            r"+ ){0,3}not (?:be )?(?:too |very |so )?"
            r"(?:happy|pleased|thrilled|impressed) to (?:hear|learn|find out)",
            r"\byou would not want (?:this|that|anyone|people|your|it|things)",
            r"\byou (?:do|would|will) not want (?:your )?(?:co-?workers|colleagues|boss|employer"
            r"|neighbou?rs|family|"
            r"friends|kids|children|spouse|wife|husband|parents|people|anyone|everyone|the whole)",
        ),
        negatable=True,
    ),
    # --- disclosure -----------------------------------------------------------------------
    Concept(
        "collector_disclosure",
        (r"debt collector|collect(?:ing)? a debt|debt collection (?:company|agency)",),
    ),
    Concept(
        "ai_label",
        (
            r"\bautomated\b|\bartificial\b|\bai\b|\bvirtual (?:assistant|agent)|digital assistant|"
            r"\bbot\b|\brobot\b|computer-generated|ai-generated",
        ),
        negatable=True,
    ),
)

_OUTSIDERS = frozenset({X.THIRD_PARTY, X.VOICEMAIL})

FRAMES: tuple[Frame, ...] = (
    Frame("en.insult.lexicon", C.INSULT, ("insult",)),
    Frame("en.impersonation.self_authority", C.IMPERSONATION, ("authority_self",)),
    Frame("en.legal.invented_consequence", C.FALSE_LEGAL_CLAIM, ("legal_harm",)),
    Frame("en.exposure.tell_audience", C.EXPOSURE_THREAT, ("tell_audience",)),
    Frame("en.exposure.audience_learns", C.EXPOSURE_THREAT, ("audience_learns",)),
    Frame("en.exposure.made_public", C.EXPOSURE_THREAT, ("made_public",)),
    Frame("en.amount.multiplied", C.DECEPTIVE_AMOUNT, ("multiply",)),
    Frame("en.amount.fake_fee", C.DECEPTIVE_AMOUNT, ("fake_fee", "charge"), vetoes=("lawful_basis",)),
    Frame("en.borrow.source", C.PRESSURE_TO_BORROW, ("borrow_source",), vetoes=("dissuade",)),
    Frame("en.threat.idiom", C.THREAT, ("threat_idiom",)),
    Frame("en.threat.visit_home", C.THREAT, ("visit_home",)),
    Frame("en.human_claim.self", C.HUMAN_CLAIM, ("human_self",)),
    Frame("en.human_claim.denies_machine", C.HUMAN_CLAIM, ("denies_machine",)),
    Frame("en.veiled_threat.hint", C.VEILED_THREAT, ("veiled",), yields_to=(C.EXPOSURE_THREAT,)),
    Frame("en.third_party.debt_mentioned", C.THIRD_PARTY_DISCLOSURE, ("debt",), contexts=_OUTSIDERS),
    Frame(
        "en.opening.no_collector_disclosure",
        C.MISSING_DISCLOSURE,
        (),
        absent=("collector_disclosure",),
        contexts=frozenset({X.OPENING}),
    ),
    Frame(
        "en.opening.no_ai_voice_identification",
        C.MISSING_DISCLOSURE,
        (),
        absent=("ai_label",),
        contexts=frozenset({X.OPENING}),
        yields_to=(C.MISSING_DISCLOSURE,),
    ),
)

FRAME_SET = FrameSet(CONCEPTS, FRAMES, _negated)
