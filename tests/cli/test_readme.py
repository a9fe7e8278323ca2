"""Every command README.md shows works as written: run in order in a fresh folder and database,
as a new reader would, with the files the README assumes the reader has (a script to lint,
compliance cases, guard lines) written first. Passwords are typed on stdin, as on a terminal."""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from tests.compliance.casebuilder import case, local

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = secrets.token_urlsafe(12)  # every README user's, typed at each prompt

# Commands that are not run here, and why; the test fails when one leaves the README, so the
# list cannot go stale.
NOT_RUN = {
    "make demo": "installs and serves; `huikuan demo` itself is run by tests/cli/test_demo.py",
    "make test": "the whole suite",
    "huikuan demo": "2,000 accounts and a server: tests/cli/test_demo.py runs it reduced",
    "huikuan sim day": "a full 5,000-account day: tests/dialer and bench/sim_day.py run it",
    "huikuan worker --carrier sip --trunk 'sip:10.0.0.5:5060;transport=tcp'": "needs a SIP trunk",
    "huikuan call --contact 42 --trunk sip:10.0.0.5:5060 --as maria": "needs a SIP trunk",
}
# Long-running commands: started, checked for their first output, then stopped.
LONG_RUNNING = ("huikuan serve", "huikuan worker --campaign")


def readme_commands() -> list[str]:
    """The shell commands of README.md's ```bash blocks, comments removed, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command:
                commands.append(command)
    return commands


def test_the_readme_shows_commands() -> None:
    commands = readme_commands()
    assert "huikuan db upgrade" in commands
    assert set(NOT_RUN) <= set(commands), set(NOT_RUN) - set(commands)


@pytest.mark.slow
def test_every_readme_command_works_as_written(tmp_path: Path) -> None:
    write_reader_files(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUIKUAN_")}
    env |= {
        "HUIKUAN_DATA_DIR": str(tmp_path / "var"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PYTHONPATH": str(ROOT / "src"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "COLUMNS": "200",
    }
    failed = []
    for command in readme_commands():
        if command in NOT_RUN:
            continue
        if command.startswith(LONG_RUNNING):
            outcome = start_and_stop(command, tmp_path, env)
        else:
            done = subprocess.run(
                ["bash", "-c", command],
                cwd=tmp_path,
                env=env,
                input=f"{PASSWORD}\n" * 4,
                capture_output=True,
                text=True,
                timeout=120,
                start_new_session=True,  # no terminal: passwords are read from stdin
                check=False,
            )
            outcome = None if done.returncode == 0 else f"exit {done.returncode}: {done.stderr[-400:]}"
        if outcome is not None:
            failed.append(f"{command}\n    {outcome}")
    assert failed == [], "\n".join(failed)


def start_and_stop(command: str, cwd: Path, env: dict[str, str]) -> str | None:
    """Start a server or worker; it works when its first line comes (the server's: the console
    address, then /healthz answers) and it has not exited with an error."""
    if command.startswith("huikuan serve"):
        command = command.replace("--port 8000", f"--port {free_port()}")
    process = subprocess.Popen(
        ["bash", "-c", f"exec {command}"],
        cwd=cwd,
        env=env | {"PYTHONUNBUFFERED": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        if not first or process.poll() not in (None, 0):
            return f"ended: {first}{process.stdout.read()[-400:]}"
        if command.startswith("huikuan serve"):
            url = re.search(r"http://[^/\s]+/", first)
            if url is None:
                return f"no console address: {first}"
            health = wait_for_health(url.group(0))
            if health != 200:
                return f"/healthz answered {health}"
        return None
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


def wait_for_health(base: str) -> int:
    """/healthz's status once the server accepts connections (refused until uvicorn binds)."""
    with httpx2.Client(base_url=base, timeout=10) as client:
        for _ in range(300):
            try:
                return int(client.get("/healthz").status_code)
            except httpx2.TransportError:
                pass
    return 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def write_reader_files(folder: Path) -> None:
    """The files the README's commands read, as a reader would have them."""
    scripts = ROOT / "src" / "huikuan" / "dialogue" / "scripts"
    (folder / "reminder.zh-CN.yaml").write_text((scripts / "reminder.zh-CN.yaml").read_text("utf-8"), "utf-8")
    cases = [case("CN", "Asia/Shanghai", local("Asia/Shanghai", 2026, 3, 10, 10))]
    (folder / "cases.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cases), "utf-8")
    (folder / "lines.txt").write_text("您好，提醒您本月账单已逾期，请尽快还款。\n", "utf-8")
