from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from huikuan.config import Settings
from huikuan.voice.asr import (
    AsrError,
    AsrUnavailable,
    HttpTranscriptionAsr,
    PocketsphinxAsr,
    SherpaOnnxAsr,
    VoskAsr,
    asr_engine,
    jsgf_for,
)
from huikuan.voice.audio import Pcm
from huikuan.voice.phrases import EN_NODE_HINTS

# Measured 21 of 22 (95%) with espeak-ng en-us at 8 kHz (the miss drops the last word of
# "how much do I owe"). The floor sits below what was measured.
MIN_ACCURACY = 0.85


def test_pocketsphinx_recognises_espeak_phrases_with_node_hints(speak: Callable[[str], Pcm]) -> None:
    asr = PocketsphinxAsr()
    results = [
        (phrase, asr.transcribe(speak(phrase), 8000, hints))
        for hints in EN_NODE_HINTS.values()
        for phrase in hints
    ]
    right = sum(heard == phrase.lower() for phrase, heard in results)
    assert len(results) >= 20
    assert right / len(results) >= MIN_ACCURACY, results
    heard = dict(results)
    assert heard["I lost my job can I pay in installments"] == "i lost my job can i pay in installments"
    assert heard["I already paid"] == "i already paid"
    assert heard["yes"] == "yes"  # one word: the strict decoder finds nothing, the second does


def test_jsgf_keeps_only_phrases_the_dictionary_knows() -> None:
    grammar = jsgf_for(["Yes, this is him", "xyzzy plugh"], lambda w: w != "xyzzy")
    assert grammar is not None
    assert "( yes this is him )" in grammar
    assert "xyzzy" not in grammar
    assert jsgf_for(["xyzzy"], lambda w: False) is None


@pytest.mark.parametrize("engine", [VoskAsr, SherpaOnnxAsr])
def test_model_folder_engines_say_when_no_model_is_configured(engine: Any, tmp_path: Path) -> None:
    with pytest.raises(AsrUnavailable, match="no model folder configured"):
        engine(None)
    with pytest.raises(AsrUnavailable, match="does not exist"):
        engine(tmp_path / "missing")


def test_registry_builds_engines_from_settings(tmp_path: Path) -> None:
    with pytest.raises(AsrUnavailable, match="HUIKUAN_VOSK_MODEL_DIR"):
        asr_engine("vosk", Settings(data_dir=tmp_path))
    with pytest.raises(AsrUnavailable, match="HUIKUAN_ASR_HTTP_BASE_URL"):
        asr_engine("http", Settings(data_dir=tmp_path))
    with pytest.raises(AsrError, match="unknown ASR engine"):
        asr_engine("nope", Settings(data_dir=tmp_path))


class _Transcriptions(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body
        )
        parts = {
            p.get_param("name", header="content-disposition"): p.get_payload(decode=True)
            for p in message.iter_parts()
        }
        self.received.append({"path": self.path, "auth": self.headers.get("Authorization"), "parts": parts})
        answer = json.dumps({"text": " yes this is him "}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Transcriptions]]]:
    handler = type("Handler", (_Transcriptions,), {"received": [], "status": 200})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", handler
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_http_engine_posts_multipart_wav_and_reads_text(server: tuple[str, Any]) -> None:
    url, handler = server
    asr = HttpTranscriptionAsr(url, "whisper-1", api_key="k-test")
    text = asr.transcribe(np.zeros(1600, dtype=np.int16), 8000, ["yes this is him", "wrong number"])
    assert text == "yes this is him"
    [request] = handler.received
    assert request["path"] == "/v1/audio/transcriptions"
    assert request["auth"] == "Bearer k-test"
    parts = request["parts"]
    assert parts["model"] == b"whisper-1"
    assert parts["prompt"] == b"yes this is him; wrong number"
    assert parts["file"][:4] == b"RIFF"
    assert len(parts["file"]) == 44 + 3200


def test_http_engine_reports_an_error_status(server: tuple[str, Any]) -> None:
    url, handler = server
    handler.status = 500
    with pytest.raises(AsrError, match="answered 500"):
        HttpTranscriptionAsr(url, "whisper-1").transcribe(np.zeros(160, dtype=np.int16), 8000, [])


def test_http_engine_refuses_other_url_schemes() -> None:
    with pytest.raises(AsrUnavailable, match="http"):
        HttpTranscriptionAsr("file:///etc", "whisper-1")
