"""What a debtor says on a collection call: the fixed speech the recogniser is measured on.

These lists were written BEFORE the Whisper engine was first run on them (2026-12-04, by the
engineer who then chose its beam size and prompt) and are not changed after seeing results.
Each line carries the intent a human reader gives it, so the figure reported is also what the
NLU takes from the transcript. Spoken by espeak-ng with a voice variant the robot never uses.
"""

from __future__ import annotations

# (what the debtor says, the intent it means)
ZH_DEBTOR_LINES: tuple[tuple[str, str], ...] = (
    ("是我本人", "confirm_identity"),
    ("对，我就是", "confirm_identity"),
    ("你打错了，我不认识这个人", "wrong_number"),
    ("我下周五还两千", "promise_to_pay"),
    ("我明天就还款", "promise_to_pay"),
    ("我月底还五百块", "promise_to_pay"),
    ("我已经还过了", "already_paid"),
    ("我现在没钱，能不能分期", "request_installment"),
    ("我失业了，实在还不上", "hardship"),
    ("能不能分六期还", "request_installment"),
    ("你们别再打了", "stop_contact"),
    ("我要投诉你们", "complaint"),
    ("这笔钱不是我借的", "dispute"),
    ("我不还", "refuse_to_pay"),
    ("我现在在开会，晚点再打给我", "callback_later"),
    ("我要跟人工说话", "request_human"),
    ("你是机器人吗", "ask_if_robot"),
    ("我欠了多少钱", "ask_details"),
    ("怎么还款，打到哪个账户", "ask_payment_method"),
    ("好的", "affirm"),
)

EN_DEBTOR_LINES: tuple[tuple[str, str], ...] = (
    ("yes this is him", "confirm_identity"),
    ("you have the wrong number", "wrong_number"),
    ("I will pay two hundred dollars next friday", "promise_to_pay"),
    ("I already paid last week", "already_paid"),
    ("I lost my job, can I pay in installments", "request_installment"),
    ("please stop calling me", "stop_contact"),
    ("I want to talk to a real person", "request_human"),
    ("that is not my debt", "dispute"),
)
