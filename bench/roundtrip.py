"""Message round trip through the REST channel of the running stack.

Starts the stack (Rasa server + action server, fresh SQLite database under a temporary
var/ folder unless --database-url is given), then measures:
  * sequential: one message at a time, over several conversations;
  * concurrent: 16 conversations sending at once.
With --baseline it also trains (once, cached) and runs Rasa's own `rasa init` demo bot
the same way, so the table shows a ratio measured on the same machine, same minute.

    .venv/bin/python bench/roundtrip.py [--baseline] [--messages 200] [--concurrency 16]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Realistic first messages and follow-ups in both languages (no real data).
MESSAGES = [
    "hola", "buenas tardes", "allinllachu", "qué es la trata de personas", "me ofrecieron trabajo en Puerto Maldonado",
    "gracias", "imataq trata de personas?", "sí", "no", "quiero hablar con alguien", "sulpayki", "chau",
]
BASELINE_MESSAGES = ["hello", "I am sad", "yes", "bye", "are you a bot?", "great"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def _send(client: httpx.AsyncClient, url: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    response = await client.post(url, json={"sender": sender, "message": text})
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000


async def sequential(url: str, messages: list[str], total: int, tag: str) -> list[float]:
    latencies = []
    async with httpx.AsyncClient(timeout=60) as client:
        for i in range(total):
            latencies.append(await _send(client, url, f"{tag}-seq-{i // 10}", messages[i % len(messages)]))
    return latencies


async def concurrent(url: str, messages: list[str], total: int, workers: int, tag: str) -> tuple[list[float], float]:
    latencies: list[float] = []
    per_worker = max(1, total // workers)

    async def worker(n: int) -> None:
        async with httpx.AsyncClient(timeout=120) as client:
            for i in range(per_worker):
                latencies.append(await _send(client, url, f"{tag}-con-{n}", messages[(i + n) % len(messages)]))

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(workers)))
    return latencies, len(latencies) / (time.perf_counter() - started)


def measure(url: str, messages: list[str], total: int, workers: int, tag: str) -> dict[str, float]:
    asyncio.run(sequential(url, messages, 20, tag + "-warm"))  # load model graphs, open pools
    seq = asyncio.run(sequential(url, messages, total, tag))
    con, throughput = asyncio.run(concurrent(url, messages, total, workers, tag))
    return {
        "seq_p50": statistics.median(seq), "seq_p95": percentile(seq, 95),
        "seq_rate": 1000 / statistics.mean(seq),
        "con_p50": statistics.median(con), "con_p95": percentile(con, 95), "con_rate": throughput,
    }


def run_willakuy(args) -> dict[str, float]:
    from bot import runner, training
    from bot.runner import free_port
    from bot.config import get_settings, reset_settings
    from bot.db import migrate

    var = Path(tempfile.mkdtemp(prefix="willakuy-bench-"))
    os.environ["WILLAKUY_VAR_DIR"] = str(var)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    for name in ("RASA_PORT", "ACTION_PORT"):
        os.environ[name] = str(free_port())
    reset_settings()
    settings = get_settings()
    migrate.upgrade()
    model = training.current_model() or training.train()
    items = runner.start_background(settings, model, var / "logs", console=False)
    try:
        return measure(settings.rasa_url + "/webhooks/rest/webhook", MESSAGES, args.messages, args.concurrency, "wk")
    finally:
        runner.stop(items)
        shutil.rmtree(var, ignore_errors=True)


def run_baseline(args) -> dict[str, float]:
    """Rasa's own demo bot (`rasa init`), trained once and cached under var/bench/."""
    from bot.runner import free_port

    home = ROOT / "var" / "bench" / "rasa-init"
    model = home / "models" / "baseline.tar.gz"
    if not model.exists():
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        print("Training the baseline `rasa init` bot (once)...", flush=True)
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
        subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(home)],
                       check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for stale in (home / "models").glob("*.tar.gz"):
            stale.unlink()
        subprocess.run([sys.executable, "-m", "rasa", "train", "--fixed-model-name", "baseline"], cwd=home,
                       check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    log = open(home / "server.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "rasa", "run", "--model", str(model), "--port", str(port), "--interface", "127.0.0.1"],
        cwd=home, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("baseline Rasa server did not start; see " + str(home / "server.log"))
            time.sleep(0.5)
        return measure(f"http://127.0.0.1:{port}/webhooks/rest/webhook", BASELINE_MESSAGES, args.messages,
                       args.concurrency, "base")
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=200, help="messages per phase")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--baseline", action="store_true", help="also measure Rasa's `rasa init` demo bot")
    parser.add_argument("--database-url", help="measure on this database (default: fresh SQLite)")
    args = parser.parse_args()

    rows = {"Willakuy (actions + SQL tracker store)": run_willakuy(args)}
    if args.baseline:
        rows["Rasa 3.6 `rasa init` demo (in-memory)"] = run_baseline(args)

    print(f"\nREST round trip, {args.messages} messages per phase, {os.cpu_count()} cores")
    header = f"{'stack':42} {'seq p50':>9} {'seq p95':>9} {'seq msg/s':>10} {'16x p50':>9} {'16x p95':>9} {'16x msg/s':>10}"
    print(header.replace("16x", f"{args.concurrency}x"))
    print("-" * len(header))
    for name, r in rows.items():
        print(f"{name:42} {r['seq_p50']:8.1f}ms {r['seq_p95']:8.1f}ms {r['seq_rate']:10.1f} "
              f"{r['con_p50']:8.1f}ms {r['con_p95']:8.1f}ms {r['con_rate']:10.1f}")
    if len(rows) == 2:
        ours, base = rows.values()
        print(f"ratio (Willakuy / demo): seq p50 {ours['seq_p50'] / base['seq_p50']:.2f}x, "
              f"concurrent throughput {ours['con_rate'] / base['con_rate']:.2f}x")
    print("\nReproduce: .venv/bin/python bench/roundtrip.py " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
