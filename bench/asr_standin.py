"""A stand-in for a speech recogniser on another machine: OpenAI-compatible `/audio/transcriptions`.

`bench/call_runtime.py --remote-asr-ms N` starts it as its own process and points the calls'
`http` ASR engine at it, so the machine under test does no recognition, as when a floor runs
Whisper or FunASR on a GPU box. It answers every request after `--latency-ms` (the remote
server's decode time plus the network) with the next of a few Mandarin debtor replies, so the
conversations go on. A stand-in, as the project's rules allow for HTTP ASR engines: no model
weights can be downloaded here.

Usage: .venv/bin/python bench/asr_standin.py --port 0 --latency-ms 250   (prints its port)
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLIES = itertools.cycle(["是我", "嗯，你说", "我下周五还两千", "好的", "能不能分期", "行"])


def handler_for(latency_s: float) -> type[BaseHTTPRequestHandler]:
    class Transcriptions(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(latency_s)  # the remote decode: this process's own time, not the worker's
            body = json.dumps({"text": next(REPLIES)}, ensure_ascii=False).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Transcriptions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=250.0)
    args = parser.parse_args()
    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(args.latency_ms / 1000))
    print(httpd.server_address[1], flush=True)
    sys.stdout.close()
    httpd.serve_forever()


if __name__ == "__main__":
    main()
