"""Work that spans domains (CONVENTIONS #3): one robot call from reservation to recorded outcome.

A call is a pipeline of small stages (`place.py`): the database stages (`stages.py`) run on a
`DbRunner` (`db.py`) off the event loop, the conversation (`conversation.py`) is pure async
code, and `LiveCall` (`live.py`) owns the dialled call so it is always hung up and recorded.
"""

from huikuan.flows.conversation import MAX_TURNS, Conversation, StageFailed, converse
from huikuan.flows.db import INLINE, DbRunner, InlineDb, ThreadDb
from huikuan.flows.place import place_call
from huikuan.flows.work import AnswerRoute, CallResult, CallStage, CallWork, RouteAnswer

__all__ = [
    "INLINE",
    "MAX_TURNS",
    "AnswerRoute",
    "CallResult",
    "CallStage",
    "CallWork",
    "Conversation",
    "DbRunner",
    "InlineDb",
    "RouteAnswer",
    "StageFailed",
    "ThreadDb",
    "converse",
    "place_call",
]
