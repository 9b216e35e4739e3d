"""Train the Rasa model only when its inputs changed.

The fingerprint covers everything that shapes the model: config.yml, domain.yml, the
training data, our NLU components' code and the Quechua profile they load, and the Rasa
version. Models are named after the fingerprint, so "is there a model for this
fingerprint?" is one file check and needs no Rasa import (which takes seconds).
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

from bot.config import PROJECT_ROOT

MODEL_DIR = PROJECT_ROOT / "models"
KEEP_MODELS = 2

# Files and folders whose content changes the trained model.
INPUTS = (
    "config.yml",
    "domain.yml",
    "data",
    "bot/language",
    "bot/cases/nlu.py",
    "bot/rasa_components.py",
    "bot/safety.py",
    "bot/cases/codes.py",
)
SUFFIXES = {".yml", ".yaml", ".py", ".json", ".txt", ""}


def _input_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for name in INPUTS:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(
                p for p in path.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix in SUFFIXES
            )
    return sorted(files)


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    try:
        from importlib.metadata import version

        digest.update(f"rasa=={version('rasa')}".encode())
    except Exception:  # noqa: BLE001 - outside the venv the version is simply not part of it
        pass
    for path in _input_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path = PROJECT_ROOT) -> Path:
    return MODEL_DIR / f"willakuy-{fingerprint(root)}.tar.gz"


def current_model() -> Path | None:
    path = model_path()
    return path if path.exists() else None


def train(force: bool = False, quiet: bool = False) -> Path:
    """Train if no model matches the current inputs; returns the model's path."""
    target = model_path()
    if target.exists() and not force:
        if not quiet:
            print(f"Modelo al día: {target.relative_to(PROJECT_ROOT)} (sin cambios en datos ni configuración).")
        return target
    MODEL_DIR.mkdir(exist_ok=True)
    print(f"Entrenando el modelo ({target.name}); en 2 núcleos tarda unos minutos...", flush=True)
    started = time.monotonic()
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
        "--out", str(MODEL_DIR), "--fixed-model-name", target.name[: -len(".tar.gz")],
    ]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env)
    if result.returncode != 0 or not target.exists():
        raise SystemExit(f"El entrenamiento falló (código {result.returncode}). Revisa los mensajes de arriba.")
    seconds = time.monotonic() - started
    print(f"Modelo entrenado en {seconds:.0f} s: {target.relative_to(PROJECT_ROOT)}", flush=True)
    _record_time(target, seconds)
    _prune(keep=target)
    return target


def _record_time(model: Path, seconds: float) -> None:
    """Keep the last training times (benchmarks report them; a noisy machine needs several)."""
    import json
    from datetime import datetime, timezone

    log = MODEL_DIR / "training-times.json"
    try:
        history = json.loads(log.read_text()) if log.exists() else []
    except ValueError:
        history = []
    history.append({"model": model.name, "seconds": round(seconds, 1), "cpus": os.cpu_count(),
                    "at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
    log.write_text(json.dumps(history[-20:], indent=1))


def training_times() -> list[dict]:
    import json

    log = MODEL_DIR / "training-times.json"
    return json.loads(log.read_text()) if log.exists() else []


def _prune(keep: Path) -> None:
    models = sorted(MODEL_DIR.glob("willakuy-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [m for m in models if m != keep][KEEP_MODELS - 1:]:
        old.unlink(missing_ok=True)
