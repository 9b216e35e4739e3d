"""Webhook acknowledgement time for the Telegram, WhatsApp and SMS channels.

Three processes, as in production: the Rasa-side server (the real channels on Sanic:
authentication, parsing, durable de-duplication, queueing, outbox and delivery worker),
local fake Telegram and Twilio APIs, and this process sending webhooks over HTTP on
127.0.0.1. Measured: time from sending a webhook to receiving the acknowledgement
(200 / empty TwiML), for first deliveries and re-deliveries (duplicates), one at a time
and with 16 concurrent senders. Processing behind the acknowledgement is either an echo
bot whose replies go through the outbox to the fake APIs (--processing echo, default:
delivery competes with webhooks) or nothing (--processing noop: the handler alone).
A trained Rasa model would add its own CPU load; that is the integrator's full-stack run.
SQLite in a temporary folder unless --database-url is given.

    .venv/bin/python bench/webhooks.py [--requests 400] [--concurrency 16] [--processing echo|noop]
                                       [--database-url URL]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "7000001:AAbench-token"
ACCOUNT_SID = "AC" + "b3" * 16
AUTH_TOKEN = "e" * 32
SECRET = "bench_secret_token"
PUBLIC_URL = "https://willakuy.example.org"
TEXTS = ["hola", "me ofrecieron trabajo en Puerto Maldonado", "¿es trata si me quitan el DNI?",
         "allinllachu", "imataq trata de personas?", "gracias"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


# ---------------------------------------------------------------- child processes


def run_fakes() -> None:
    from integrations.fakes import FakeTelegram, FakeTwilio

    telegram, twilio = FakeTelegram(TOKEN).start(), FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
    print(json.dumps({"telegram": telegram.base_url, "twilio": twilio.base_url}), flush=True)
    sys.stdin.read()  # until the parent closes our stdin


def run_server(port: int, telegram_url: str, twilio_url: str, processing: str) -> None:
    from types import SimpleNamespace

    from rasa.core.channels.channel import register
    from sanic import Sanic

    from bot.db import migrate
    from integrations.runtime import Runtime
    from integrations.settings import telegram_config, twilio_config
    from integrations.telegram_channel import TelegramInput
    from integrations.twilio_channel import SmsInput, WhatsAppInput

    migrate.upgrade()

    async def echo(message) -> None:
        await message.output_channel.send_response(message.sender_id, {"text": f"Recibí: {message.text}"})

    async def noop(message) -> None:
        return None

    async def main() -> None:
        runtime = Runtime()
        channels = [TelegramInput(telegram_config(), runtime), WhatsAppInput(twilio_config("whatsapp"), runtime),
                    SmsInput(twilio_config("sms"), runtime)]
        app = Sanic("willakuy_bench", configure_logging=False)
        app.ctx.agent = SimpleNamespace(handle_message=echo if processing == "echo" else noop)
        register(channels, app, route="/webhooks/")
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.after_start()
        print("READY", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await server.before_stop()

    asyncio.run(main())


# ---------------------------------------------------------------- load


def telegram_body(update_id: int, chat: int, text: str) -> bytes:
    return json.dumps({"update_id": update_id, "message": {
        "message_id": update_id % 100_000, "date": int(time.time()), "text": text,
        "from": {"id": chat, "is_bot": False, "first_name": "Persona", "language_code": "es"},
        "chat": {"id": chat, "first_name": "Persona", "type": "private"}}}).encode()


def twilio_params(channel: str, phone: str, text: str) -> dict[str, str]:
    sid = "SM" + secrets.token_hex(16)
    sender = f"whatsapp:{phone}" if channel == "whatsapp" else phone
    params = {"SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid, "SmsStatus": "received", "Body": text,
              "To": "whatsapp:+14155238886" if channel == "whatsapp" else "+15005550006", "NumSegments": "1",
              "MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": sender, "ApiVersion": "2010-04-01"}
    if channel == "whatsapp":
        params.update({"ProfileName": "Persona", "WaId": phone.lstrip("+"), "MessageType": "text"})
    return params


class Target:
    def __init__(self, port: int) -> None:
        import httpx
        from twilio.request_validator import RequestValidator

        self.client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60,
                                        limits=httpx.Limits(max_connections=64))
        self.validator = RequestValidator(AUTH_TOKEN)
        self.update_ids = iter(range(10_000_000, 99_000_000))

    def request(self, channel: str, conversation: int):
        text = TEXTS[conversation % len(TEXTS)]
        if channel == "telegram":
            body = telegram_body(next(self.update_ids), 6_000_000_000 + conversation, text)
            return ("/webhooks/telegram/webhook", body,
                    {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET})
        path = f"/webhooks/{channel}/webhook"
        params = twilio_params(channel, f"+5190{conversation:07d}", text)
        signature = self.validator.compute_signature(PUBLIC_URL + path, params)
        return (path, urlencode(params).encode(),
                {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})

    async def send(self, request) -> tuple[float, int]:
        path, body, headers = request
        started = time.perf_counter()
        response = await self.client.post(path, content=body, headers=headers)
        return (time.perf_counter() - started) * 1000, response.status_code


async def phase(target: Target, channel: str, total: int, concurrency: int, duplicates: bool) -> dict:
    requests = [target.request(channel, i % 200) for i in range(total)]
    if duplicates:
        for request in requests:  # deliver once first; the measured sends are re-deliveries
            await target.send(request)
        await asyncio.sleep(1.0)  # let the first deliveries' replies go out
    latencies: list[float] = []
    codes: dict[int, int] = {}
    queue = list(reversed(requests))

    async def worker() -> None:
        while queue:
            latency, code = await target.send(queue.pop())
            latencies.append(latency)
            codes[code] = codes.get(code, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    await asyncio.sleep(1.0)  # each phase starts with the previous one's replies sent
    return {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "max": max(latencies),
            "rate": total / elapsed, "codes": codes}


async def load(args: argparse.Namespace, port: int) -> list[tuple[str, dict]]:
    target = Target(port)
    results = []
    try:
        for channel in ("telegram", "whatsapp", "sms"):
            for duplicates in (False, True):
                for concurrency in (1, args.concurrency):
                    name = f"{channel:8} {'duplicate' if duplicates else 'first':9} {concurrency:>2}x"
                    results.append((name, await phase(target, channel, args.requests, concurrency, duplicates)))
    finally:
        await target.client.aclose()
    return results


def delivered(urls: dict[str, str]) -> int:
    import httpx

    return sum(httpx.post(url.rsplit("/bot", 1)[0] + "/_calls").json()["calls"] for url in urls.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400, help="webhook requests per phase")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--processing", choices=("echo", "noop"), default="echo")
    parser.add_argument("--database-url", help="run on this database (default: a temporary SQLite file)")
    parser.add_argument("--role", choices=("fakes", "server"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "fakes":
        run_fakes()
        return 0
    if args.role == "server":
        run_server(args.port, os.environ["TELEGRAM_API_BASE_URL"], os.environ["TWILIO_API_BASE_URL"], args.processing)
        return 0

    from bot.runner import free_port

    var_dir = tempfile.mkdtemp(prefix="willakuy-bench-")
    env = dict(os.environ, WILLAKUY_VAR_DIR=var_dir, WILLAKUY_ENV="test", RASA_TELEMETRY_ENABLED="false",
               TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(ROOT),
               DATABASE_URL=args.database_url or f"sqlite:///{var_dir}/bench.db")
    me = [sys.executable, str(Path(__file__).resolve())]
    fakes = subprocess.Popen(me + ["--role", "fakes"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    urls = json.loads(fakes.stdout.readline())
    port = free_port()
    env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_API_BASE_URL": urls["telegram"],
                "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_SMS_FROM": "+15005550006",
                "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886", "TWILIO_API_BASE_URL": urls["twilio"],
                "WILLAKUY_PUBLIC_URL": PUBLIC_URL})
    server = subprocess.Popen(me + ["--role", "server", "--port", str(port), "--processing", args.processing],
                              env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        while (line := server.stdout.readline()) and line.strip() != "READY":
            pass
        if server.poll() is not None:
            print("the channel server did not start", file=sys.stderr)
            return 1
        results = asyncio.run(load(args, port))
        # Every phase delivers `requests` new messages (duplicate phases first deliver them once).
        expected = len(results) * args.requests if args.processing == "echo" else 0
        deadline = time.monotonic() + 120
        while (calls := delivered(urls)) < expected and time.monotonic() < deadline:
            time.sleep(0.5)  # the last replies may still be on their way
    finally:
        for process in (server, fakes):
            process.stdin.close()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    backend = "PostgreSQL" if (args.database_url or "").startswith("postgres") else "SQLite"
    print(f"\nWebhook acknowledgement, {args.requests} requests per phase, processing={args.processing}, "
          f"{backend}, {os.cpu_count()} cores")
    header = f"{'channel  delivery  senders':30} {'p50':>8} {'p95':>8} {'max':>8} {'req/s':>8}  answers"
    print(header)
    print("-" * len(header))
    for name, r in results:
        codes = ", ".join(f"{n}x{code}" for code, n in sorted(r["codes"].items()))
        print(f"{name:30} {r['p50']:6.1f}ms {r['p95']:6.1f}ms {r['max']:6.1f}ms {r['rate']:8.0f}  {codes}")
    print(f"\nReplies sent to the fake APIs: {calls} (expected {expected}: one per new message, "
          f"none for re-deliveries)")
    print("Reproduce: .venv/bin/python bench/webhooks.py " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
