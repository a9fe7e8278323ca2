"""Imports every package's tables so `Base.metadata` is complete (Alembic, tests)."""

from huikuan.compliance import models as compliance_models
from huikuan.db import Base
from huikuan.desk import models as desk_models
from huikuan.dialer import models as dialer_models
from huikuan.dialogue import models as dialogue_models
from huikuan.outcomes import models as outcomes_models
from huikuan.portfolio import models as portfolio_models
from huikuan.profiling import models as profiling_models
from huikuan.security import models as security_models
from huikuan.sim import models as sim_models
from huikuan.strategy import models as strategy_models
from huikuan.voice import models as voice_models

__all__ = [
    "Base",
    "compliance_models",
    "desk_models",
    "dialer_models",
    "dialogue_models",
    "outcomes_models",
    "portfolio_models",
    "profiling_models",
    "security_models",
    "sim_models",
    "strategy_models",
    "voice_models",
]
