"""Try the call's voice and ears.

`huikuan voice say TEXT --lang zh-CN [--voice cmn|yue|en-us] --out F.wav` renders a line as a call
would; `huikuan voice hear F.wav [--lang zh-CN]` prints what the call's recogniser hears in a WAV.
"""

from __future__ import annotations

from pathlib import Path

import typer

from huikuan.config import get_settings
from huikuan.errors import InvalidInput, UnreadableFile

app = typer.Typer(help="语音 / voice", no_args_is_help=True)
VOICES = ("cmn", "yue", "en-us")
LANGS = ("zh-CN", "en-US")


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


@app.command()
def hear(
    wav: Path = typer.Argument(..., help="16-bit PCM WAV, any rate (mono, or the first channel)"),
    lang: str = typer.Option("zh-CN", "--lang", help="The script's language: zh-CN or en-US"),
) -> None:
    """识别一段录音 / Print what the call's recogniser hears in a WAV, at the phone rate (8 kHz)."""
    from huikuan.voice.asr import asr_engine, engine_name
    from huikuan.voice.audio import SAMPLE_RATE, AudioError, read_wav, resample

    if lang not in LANGS:
        raise InvalidInput(f"--lang must be zh-CN or en-US, not {lang!r}")
    if not wav.is_file():
        raise InvalidInput(f"{wav} does not exist or is not a file")
    try:
        pcm, rate = read_wav(wav)
    except OSError as e:
        raise UnreadableFile(f"{wav} cannot be read ({type(e).__name__})") from e
    except (AudioError, ValueError) as e:
        raise UnreadableFile(f"{wav} is not a 16-bit PCM WAV file ({e})") from e
    if rate <= 0 or len(pcm) == 0:
        raise InvalidInput(f"{wav} holds no audio")
    settings = get_settings()
    engine = asr_engine(engine_name(settings, lang), settings, lang)
    # What a call hears: telephone-rate audio, resampled as the call path does.
    text = engine.transcribe(resample(pcm, rate, SAMPLE_RATE), SAMPLE_RATE, ())
    typer.echo(text)
