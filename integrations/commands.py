"""`willakuy telegram set-webhook|webhook-info` and `willakuy channels status`."""
from __future__ import annotations

import argparse
import asyncio

from bot.config import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    telegram = subparsers.add_parser("telegram", help="Telegram bot set-up")
    telegram_sub = telegram.add_subparsers(dest="telegram_command", metavar="ACTION", required=True)
    set_webhook = telegram_sub.add_parser(
        "set-webhook", help="register <WILLAKUY_PUBLIC_URL>/webhooks/telegram/webhook with the secret token"
    )
    set_webhook.add_argument("--url", help="webhook URL (default: from WILLAKUY_PUBLIC_URL)")
    set_webhook.add_argument("--drop-pending", action="store_true", help="discard updates Telegram is holding")
    set_webhook.set_defaults(func=cmd_set_webhook)
    info = telegram_sub.add_parser("webhook-info", help="what Telegram knows about our webhook")
    info.set_defaults(func=cmd_webhook_info)

    channels = subparsers.add_parser("channels", help="messaging channels")
    channels_sub = channels.add_subparsers(dest="channels_command", metavar="ACTION", required=True)
    channels_sub.add_parser("status", help="which channels are configured and their webhook URLs").set_defaults(
        func=cmd_channels_status
    )


def _telegram_transport():
    from integrations.runtime import channel_credentials
    from integrations.settings import telegram_config
    from integrations.telegram_transport import TelegramTransport

    config = telegram_config(channel_credentials().get("telegram"))
    if not config.enabled:
        return config, None
    return config, TelegramTransport(config)


def cmd_set_webhook(args: argparse.Namespace) -> int:
    config, transport = _telegram_transport()
    if transport is None:
        print(f"Telegram no está configurado: falta {', '.join(config.missing)} (ver docs/channels.md).")
        return 2
    url = args.url or config.webhook_url
    if not url.startswith("https://"):
        print(f"Telegram solo acepta webhooks https; {url} no lo es. Define WILLAKUY_PUBLIC_URL o usa --url.")
        return 2

    async def run() -> bool:
        try:
            return await transport.set_webhook(url, drop_pending_updates=args.drop_pending)
        finally:
            await transport.close()

    ok = asyncio.run(run())
    print(f"Webhook {'registrado' if ok else 'NO registrado'}: {url} (con token secreto).")
    return 0 if ok else 1


def cmd_webhook_info(args: argparse.Namespace) -> int:
    config, transport = _telegram_transport()
    if transport is None:
        print(f"Telegram no está configurado: falta {', '.join(config.missing)}.")
        return 2

    async def run() -> dict:
        try:
            return await transport.webhook_info()
        finally:
            await transport.close()

    info = asyncio.run(run())
    for key, value in info.items():
        print(f"{key}: {value}")
    return 0


def cmd_channels_status(args: argparse.Namespace) -> int:
    from integrations.runtime import channel_credentials
    from integrations.settings import telegram_config, twilio_config

    credentials = channel_credentials()
    settings = get_settings()
    print(f"URL pública (WILLAKUY_PUBLIC_URL): {settings.public_base_url}")
    for channel in ("telegram", "whatsapp", "sms"):
        if channel not in credentials:
            print(f"{channel:9} no registrado en credentials.yml")
            continue
        if channel == "telegram":
            config = telegram_config(credentials[channel], settings)
            url = config.webhook_url
        else:
            config = twilio_config(channel, credentials[channel], settings)
            url = f"{config.url('webhook')} (estado: {config.url('status')})"
        state = "activo" if config.enabled else f"desactivado, falta {', '.join(config.missing)}"
        print(f"{channel:9} {state}\n          webhook: {url}")
    return 0
