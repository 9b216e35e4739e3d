"""`willakuy screen`: JSON output, stdin mode, and no tracebacks on bad input."""
import json
import subprocess
import sys
from pathlib import Path

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run_cli(capsys, *argv):
    code = main(["screen", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_single_text_prints_risk_score_and_indicators(capsys):
    code, out, err = run_cli(capsys, "Se busca señoritas para bar en Puerto Maldonado, pasajes pagados")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert set(data) == {"risk", "score", "indicators", "learned"}
    assert set(data["learned"]) >= {"score", "raised"}
    assert data["risk"] == "high" and isinstance(data["score"], float)
    assert {"id": "risk_destination", "evidence": "Puerto Maldonado"} in data["indicators"]
    assert all(set(i) == {"id", "evidence"} for i in data["indicators"])
    assert out.count("\n") == 1


def test_full_and_explain_flags(capsys):
    code, out, _ = run_cli(capsys, "no me dejan salir", "--full", "--explain", "--lang", "qu")
    data = json.loads(out)
    assert code == 0 and data["danger_now"] is True and data["rules"] == ["held_now"]
    assert data["lang"] == "qu" and data["messages"][0].startswith("⚠️")


def test_answers_option(capsys):
    code, out, _ = run_cli(capsys, "me ofrecen trabajo", "--answers", '{"age": "under_18", "destination": "madre_de_dios"}')
    data = json.loads(out)
    assert code == 0 and data["risk"] == "high"
    assert {i["id"] for i in data["indicators"]} >= {"minor", "risk_destination"}


def test_bad_answers_json_is_a_clear_error(capsys):
    code, out, err = run_cli(capsys, "hola", "--answers", "{not json")
    assert code == 2 and out == "" and "--answers is not valid JSON" in err
    code, out, err = run_cli(capsys, "hola", "--answers", '{"age": "purple"}')
    assert code == 1 and "error" in json.loads(out) and "Traceback" not in err


def test_empty_text_gives_an_error_object(capsys):
    code, out, _ = run_cli(capsys, "   ")
    assert code == 1 and "error" in json.loads(out)


def test_stdin_mode_one_json_line_per_offer_in_one_process():
    lines = [
        "Trabajo en mina en La Rinconada, viaje hoy",
        "",
        '{"text": "Panadería busca ayudante\\ncon experiencia", "lang": "es"}',
        '"texto \\"entre comillas\\" con pasajes pagados"',
        "{esto no es json pero es un texto}",
    ]
    data = ("\n".join(lines) + "\n").encode("utf-8") + b"bytes rotos \xff\xfe en una oferta\n"
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "screen", "-"], input=data,
                          capture_output=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"Traceback" not in proc.stderr
    out = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert len(out) == 6
    assert out[0]["risk"] in ("medium", "high") and "risk_destination" in {i["id"] for i in out[0]["indicators"]}
    assert "error" in out[1]
    assert out[2]["risk"] == "low"
    assert "travel_paid" in {i["id"] for i in out[3]["indicators"]}
    assert "risk" in out[4] and "risk" in out[5]


def test_broken_data_file_is_one_line_not_a_traceback(tmp_path):
    broken = tmp_path / "indicators.yml"
    broken.write_text("version: 1\nindicators: [\n", encoding="utf-8")
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    code = (
        "import bot.screening.catalog as c, pathlib, sys;"
        f"c.INDICATORS_FILE = pathlib.Path({str(broken)!r});"
        "from bot.cli import main; sys.exit(main(['screen', 'hola']))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "not valid YAML" in proc.stderr
