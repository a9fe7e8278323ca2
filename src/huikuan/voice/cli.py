"""`huikuan voice say TEXT --lang zh-CN [--voice cmn|yue|en-us] --out F.wav`: hear a line as a call would."""

from __future__ import annotations

from pathlib import Path

import typer

from huikuan.config import get_settings
from huikuan.errors import InvalidInput

app = typer.Typer(help="语音 / voice", no_args_is_help=True)
VOICES = ("cmn", "yue", "en-us")


@app.command()
def say(
    text: str = typer.Argument(..., help="The line to say (never logged)"),
    lang: str = typer.Option("zh-CN", "--lang", help="The script's language: zh-CN or en-US"),
    voice: str = typer.Option("", "--voice", help="cmn | yue | en-us (default: the language's voice)"),
    out: Path = typer.Option(..., "--out", help="WAV file to write (8 kHz, 16-bit, mono)"),
) -> None:
    """合成一句话术 / Render a line with the call's TTS engine and voice, at the phone rate."""
    from huikuan.voice.attach import voice_for
    from huikuan.voice.audio import SAMPLE_RATE, write_wav
    from huikuan.voice.tts import tts_engine

    if lang not in ("zh-CN", "en-US"):
        raise InvalidInput(f"--lang must be zh-CN or en-US, not {lang!r}")
    if voice and voice not in VOICES:
        raise InvalidInput(f"--voice must be one of {', '.join(VOICES)}, not {voice!r}")
    if not text.strip():
        raise InvalidInput("nothing to say: TEXT is empty")
    settings = get_settings()
    chosen = voice or voice_for(lang, None)
    engine = tts_engine(settings.tts_engine, settings)
    pcm = engine.synthesize(text, chosen)
    write_wav(out, pcm, SAMPLE_RATE)
    typer.echo(f"{out}: {len(pcm) / SAMPLE_RATE:.2f} s at {SAMPLE_RATE} Hz, voice {chosen} ({engine.name})")
