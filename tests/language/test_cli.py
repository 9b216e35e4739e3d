import io
import json
import subprocess
import sys
from pathlib import Path

from bot.cli import main
from bot.language.commands import process_lines

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "lang", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        check=False,
    )


def test_single_text_prints_one_json_line(capsys):
    assert main(["lang", "denunciayta", "munani"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert set(result) == {"lang", "confidence"}
    assert result["lang"] == "qu"
    assert 0.0 <= result["confidence"] <= 1.0


def test_stdin_mode_one_line_per_input():
    data = "hola, quiero denunciar\narí\n\n👍\nyanapaway, wichqasqa kachkani\r\n".encode("utf-8")
    done = run_cli("-", stdin=data)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["lang"] for r in results] == ["es", "qu", "und", "und", "qu"]
    assert done.stderr == b""


def test_bad_input_gives_und_not_a_traceback():
    junk = bytes(range(256)) * 20
    long_line = b"a" * 200_000
    data = junk + b"\n" + long_line + b"\n" + b"\xff\xfe\x00\x01\n" + b"hola\n"
    done = run_cli("-", stdin=data)
    assert done.returncode == 0
    assert b"Traceback" not in done.stderr
    results = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert len(results) == data.count(b"\n")
    assert results[-1]["lang"] == "es"
    assert {r["lang"] for r in results[:-1]} == {"und"}


def test_empty_stdin_prints_nothing():
    done = run_cli("-", stdin=b"")
    assert done.returncode == 0
    assert done.stdout == b""


def test_process_lines_counts_and_formats():
    out = io.StringIO()
    assert process_lines(["hola", None, ""], out) == 3
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["lang"] for line in lines] == ["es", "und", "und"]
