"""Start and supervise the three processes: Rasa server, action server, console.

A process that dies is restarted with backoff, so a crash in one custom action does
not leave people writing into silence. Ctrl-C stops everything.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.config import PROJECT_ROOT, Settings

READY_TIMEOUT = 240.0


@dataclass
class Service:
    name: str
    command: list[str]
    ready_url: str
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    restarts: int = 0


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(settings: Settings, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH", "")])),
            "WILLAKUY_ENV": settings.env,
            "WILLAKUY_VAR_DIR": str(settings.var_dir),
            "DATABASE_URL": settings.database_url,
            "WILLAKUY_ACTION_URL": settings.action_url,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONUNBUFFERED": "1",
            # Rasa prints a telemetry notice and tries to reach the network otherwise.
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_WARN_20": "0",
        }
    )
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    env.update(extra or {})
    return env


def services(settings: Settings, model: Path, console: bool = True) -> list[Service]:
    py = sys.executable
    env = child_env(settings)
    items = [
        Service(
            "actions",
            [py, "-m", "bot.quiet", "rasa_sdk", "--actions", "actions", "--port", str(settings.action_port), "--quiet"],
            f"http://127.0.0.1:{settings.action_port}/health",
            env,
        ),
        Service(
            "rasa",
            [
                py, "-m", "bot.quiet", "rasa", "run", "--model", str(model), "--endpoints", "endpoints.yml",
                "--credentials", "credentials.yml", "--enable-api", "--auth-token", settings.rasa_token,
                "--interface", "127.0.0.1", "--port", str(settings.rasa_port),
            ],
            f"{settings.rasa_url}/status?token={settings.rasa_token}",
            env,
        ),
    ]
    if console:
        items.append(
            Service(
                "console",
                [
                    py, "-m", "bot.quiet", "uvicorn", "bot.console.app:create_app", "--factory",
                    "--host", settings.console_host, "--port", str(settings.console_port),
                    "--no-access-log", "--log-level", "warning",
                    # The console uses no websockets; uvicorn 0.54 with the websockets 10.4 that
                    # Rasa pins cannot even import its websocket protocol, so turn it off.
                    "--ws", "none",
                ],
                f"http://127.0.0.1:{settings.console_port}/health",
                env,
            )
        )
    return items


def _start(service: Service, log_dir: Path | None = None) -> None:
    output = None
    if log_dir is not None:
        output = open(log_dir / f"{service.name}.log", "a")
    service.process = subprocess.Popen(
        service.command, cwd=PROJECT_ROOT, env=service.env, start_new_session=True,
        stdout=output, stderr=subprocess.STDOUT if output else None,
    )


def start_background(settings: Settings, model: Path, log_dir: Path, console: bool = True,
                     timeout: float = READY_TIMEOUT) -> list[Service]:
    """Start the stack with each process's output in log_dir/<name>.log (tests, benchmarks)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    items = services(settings, model, console)
    for service in items:
        _start(service, log_dir)
    try:
        wait_ready(items, timeout=timeout, quiet=True)
    except RuntimeError as exc:
        stop(items)
        tails = "\n".join(
            f"--- {s.name}.log ---\n" + (log_dir / f"{s.name}.log").read_text(errors="replace")[-2000:] for s in items
        )
        raise RuntimeError(f"{exc}\n{tails}") from exc
    return items


def _ready(service: Service) -> bool:
    try:
        response = httpx.get(service.ready_url, timeout=2.0)
    except httpx.HTTPError:
        return False
    if service.name == "rasa":
        return response.status_code == 200 and bool(response.json().get("model_file"))
    return response.status_code in (200, 503) if service.name == "console" else response.status_code == 200


def wait_ready(items: list[Service], timeout: float = READY_TIMEOUT, quiet: bool = False) -> None:
    deadline = time.monotonic() + timeout
    pending = list(items)
    while pending:
        for service in list(pending):
            if service.process and service.process.poll() is not None:
                raise RuntimeError(f"{service.name} terminó al arrancar (código {service.process.returncode}).")
            if _ready(service):
                if not quiet:
                    print(f"  ✓ {service.name} listo", flush=True)
                pending.remove(service)
        if pending and time.monotonic() > deadline:
            raise RuntimeError("No arrancó a tiempo: " + ", ".join(s.name for s in pending))
        time.sleep(0.5)


def stop(items: list[Service]) -> None:
    for service in items:
        if service.process and service.process.poll() is None:
            os.killpg(service.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for service in items:
        if service.process:
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(service.process.pid, signal.SIGKILL)


def run(settings: Settings, model: Path, console: bool = True) -> int:
    items = services(settings, model, console)
    stopping = threading.Event()

    def _signal(signum, _frame):
        stopping.set()

    signal.signal(signal.SIGINT, _signal)
    signal.signal(signal.SIGTERM, _signal)
    print("Arrancando: servidor de acciones, servidor Rasa" + (", consola" if console else "") + "...", flush=True)
    for service in items:
        _start(service)
    try:
        wait_ready(items)
    except RuntimeError as exc:
        print(f"willakuy: {exc}", file=sys.stderr)
        stop(items)
        return 1
    print_banner(settings, console)
    next_drain = 0.0
    while not stopping.is_set():
        if time.monotonic() >= next_drain:
            next_drain = time.monotonic() + DRAIN_EVERY
            drain_spool_quietly()
            end_expired_classes_quietly()
        for service in items:
            if service.process and service.process.poll() is not None and not stopping.is_set():
                service.restarts += 1
                delay = min(30, 2 ** min(service.restarts, 5))
                print(f"  ! {service.name} se detuvo (código {service.process.returncode}); "
                      f"reinicio en {delay} s", file=sys.stderr, flush=True)
                stopping.wait(delay)
                if not stopping.is_set():
                    _start(service)
        stopping.wait(1.0)
    print("\nDeteniendo...", flush=True)
    stop(items)
    return 0


DRAIN_EVERY = 60.0


def drain_spool_quietly() -> None:
    """Reports spooled during a database outage are written once the database answers."""
    from bot.cases import store

    try:
        if store.spooled_count():
            result = store.drain_spool()
            if result.written:
                print(f"  ✓ {result.written} reporte(s) guardados desde la cola local", flush=True)
    except Exception as exc:  # noqa: BLE001 - the database may still be away; try again later
        print(f"  ! la cola local de reportes sigue pendiente ({type(exc).__name__})", file=sys.stderr, flush=True)


def end_expired_classes_quietly() -> None:
    """Classroom sessions past their time are ended (participants and salt deleted) within a minute."""
    from bot.classroom import store
    from bot.db.session import session_scope

    try:
        with session_scope() as db:
            ended = store.purge_expired(db)
        if ended:
            print(f"  ✓ {ended} sesión(es) de clase vencida(s) cerrada(s)", flush=True)
    except Exception as exc:  # noqa: BLE001 - the database may be away; try again later
        print(f"  ! no se pudieron cerrar las clases vencidas ({type(exc).__name__})", file=sys.stderr, flush=True)


def print_banner(settings: Settings, console: bool) -> None:
    lines = [
        "",
        "Willakuy está funcionando.",
        "  Hablar con el asistente en la terminal:  willakuy chat",
        f"  Canal REST del asistente:                {settings.rasa_url}/webhooks/rest/webhook",
    ]
    if console:
        lines += [
            f"  Consola de operadores:                   {settings.console_url}/",
            f"  Chat de prueba en el navegador:          {settings.console_url}/chat",
        ]
    lines += ["Ctrl-C para detener.", ""]
    print("\n".join(lines), flush=True)
