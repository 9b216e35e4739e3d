"""How channels are configured: credentials.yml names variables, missing credentials disable a channel."""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import uuid
from types import SimpleNamespace

import httpx
import pytest
from rasa.core.channels.channel import register
from sanic import Sanic

from bot.config import PROJECT_ROOT, get_settings
from bot.runner import free_port
from integrations.runtime import Runtime, channel_credentials
from integrations.settings import CredentialsError, derived_secret, telegram_config, twilio_config
from integrations.telegram_channel import TelegramInput
from integrations.twilio_channel import SmsInput, WhatsAppInput
from tests.integrations.conftest import TOKEN, EchoBot


def settings_with(**extra: str):
    return dataclasses.replace(get_settings(), extra=extra, public_base_url="https://willakuy.example.org")


def test_credentials_name_environment_variables_never_secrets():
    with pytest.raises(CredentialsError):
        telegram_config({"bot_token": "123456:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ac"}, settings_with())
    with pytest.raises(CredentialsError):
        twilio_config("sms", {"auth_token": "lowercase_secret_value"}, settings_with())
    with pytest.raises(CredentialsError):
        telegram_config({"bot_token": "MY_TOKEN"}, settings_with())  # only TELEGRAM_* / TWILIO_* reach settings
    with pytest.raises(CredentialsError):
        twilio_config("sms", {"favourite_colour": "TWILIO_COLOUR"}, settings_with())
    renamed = telegram_config({"bot_token": "TELEGRAM_SECOND_BOT_TOKEN"}, settings_with(TELEGRAM_SECOND_BOT_TOKEN=TOKEN))
    assert renamed.enabled and renamed.bot_token == TOKEN


def test_missing_credentials_disable_a_channel_and_say_which():
    assert telegram_config(None, settings_with()).missing == ("TELEGRAM_BOT_TOKEN",)
    sms = twilio_config("sms", None, settings_with(TWILIO_ACCOUNT_SID="AC1", TWILIO_AUTH_TOKEN="t"))
    assert sms.missing == ("TWILIO_SMS_FROM or TWILIO_MESSAGING_SERVICE_SID",)
    service = twilio_config("sms", None, settings_with(TWILIO_ACCOUNT_SID="AC1", TWILIO_AUTH_TOKEN="t",
                                                        TWILIO_MESSAGING_SERVICE_SID="MG1"))
    assert service.enabled and service.sender == ""
    whatsapp = twilio_config("whatsapp", None, settings_with(TWILIO_ACCOUNT_SID="AC1", TWILIO_AUTH_TOKEN="t",
                                                              TWILIO_WHATSAPP_FROM="+14155238886"))
    assert whatsapp.sender == "whatsapp:+14155238886"


def test_webhook_secret_is_derived_from_the_token_when_not_set():
    derived = telegram_config(None, settings_with(TELEGRAM_BOT_TOKEN=TOKEN))
    assert derived.webhook_secret == derived_secret(TOKEN) and len(derived.webhook_secret) == 64
    explicit = telegram_config(None, settings_with(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_WEBHOOK_SECRET="abc_DEF-1"))
    assert explicit.webhook_secret == "abc_DEF-1"


def test_credentials_yml_registers_the_three_channels_by_module_path():
    assert set(channel_credentials(PROJECT_ROOT / "credentials.yml")) == {"telegram", "whatsapp", "sms"}


def test_rasa_starts_with_credentials_yml_and_no_channel_variables(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TWILIO_"))}
    code = (
        "from rasa.core.run import create_http_input_channels, configure_app\n"
        "channels = create_http_input_channels(None, 'credentials.yml')\n"
        "app = configure_app(channels, route='/webhooks/')\n"
        "print(sorted(c.name() for c in channels))\n"
        "print(sorted(r.path for r in app.router.routes if r.path.startswith('webhooks')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "['rest', 'sms', 'telegram', 'whatsapp']" in result.stdout
    for path in ("webhooks/telegram/webhook", "webhooks/whatsapp/webhook", "webhooks/whatsapp/status",
                 "webhooks/sms/webhook", "webhooks/sms/status"):
        assert path in result.stdout
    assert "telegram channel disabled: set TELEGRAM_BOT_TOKEN" in result.stderr


async def test_a_disabled_channel_answers_503_and_says_so_on_its_health_route(database_url):
    runtime = Runtime()
    channels = [TelegramInput(telegram_config(None, settings_with()), runtime),
                WhatsAppInput(twilio_config("whatsapp", None, settings_with()), runtime),
                SmsInput(twilio_config("sms", None, settings_with()), runtime)]
    app = Sanic(f"willakuy_disabled_{uuid.uuid4().hex[:8]}")
    app.ctx.agent = SimpleNamespace(handle_message=EchoBot())
    register(channels, app, route="/webhooks/")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.after_start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for channel in ("telegram", "whatsapp", "sms"):
                health = await client.get(f"/webhooks/{channel}/")
                assert health.json() == {"status": "disabled", "channel": channel}
                assert (await client.post(f"/webhooks/{channel}/webhook", content=b"{}")).status_code == 503
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()


def test_set_webhook_command_registers_the_secret_and_allowed_updates(fake_telegram, tmp_path):
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_WEBHOOK_SECRET="s3cret_for_test",
               TELEGRAM_API_BASE_URL=fake_telegram.base_url, WILLAKUY_PUBLIC_URL="https://willakuy.example.org")
    result = subprocess.run([sys.executable, "-m", "bot.cli", "telegram", "set-webhook"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    [call] = fake_telegram.calls_to("setWebhook")
    assert call.params["url"] == "https://willakuy.example.org/webhooks/telegram/webhook"
    assert call.params["secret_token"] == "s3cret_for_test"
    assert call.params["allowed_updates"] == ["message", "edited_message", "callback_query", "my_chat_member"]
    assert fake_telegram.calls_to("getMe") == []
    plain_http = subprocess.run([sys.executable, "-m", "bot.cli", "telegram", "set-webhook", "--url",
                                 "http://insecure.example.org/hook"], cwd=PROJECT_ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
    assert plain_http.returncode == 2 and "https" in plain_http.stdout


def test_the_runtime_takes_its_recovery_grace_from_the_settings():
    import dataclasses

    from bot.config import get_settings
    from integrations.runtime import from_settings

    runtime = from_settings(dataclasses.replace(get_settings(), inbound_grace_seconds=300), credentials={})
    assert runtime.recovery_grace == 300 and runtime.recover_every == 60  # leases renewed well within the grace
    assert from_settings(dataclasses.replace(get_settings(), inbound_grace_seconds=30), credentials={}).recover_every == 15



def test_started_processes_hide_third_party_deprecation_notices_unless_asked(tmp_path):
    import os
    import subprocess
    import sys

    from bot.runner import PROJECT_ROOT, services
    from bot.config import load_settings

    # a library that resets the filters at import, as Sanic does, then warns
    lib = tmp_path / "site-packages"
    lib.mkdir()
    (lib / "oldlib.py").write_text(
        "import warnings\nwarnings.filterwarnings('once', category=DeprecationWarning)\n"
        "warnings.warn('old api', DeprecationWarning)\n")
    (tmp_path / "app.py").write_text(
        "import warnings, oldlib\nwarnings.warn('our own old call', DeprecationWarning)\n"
        "warnings.warn('real problem', UserWarning)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), str(tmp_path), str(lib)])}
    env.pop("WILLAKUY_DEPRECATION_WARNINGS", None)

    def run(extra):
        return subprocess.run([sys.executable, "-m", "bot.quiet", "app"], env={**env, **extra}, cwd=tmp_path,
                              capture_output=True, text=True, check=True).stderr

    quiet = run({})
    assert "old api" not in quiet and "our own old call" in quiet and "real problem" in quiet
    assert "old api" in run({"WILLAKUY_DEPRECATION_WARNINGS": "1"})
    # every service the runner starts goes through it
    assert all(s.command[1:3] == ["-m", "bot.quiet"] for s in services(load_settings(), PROJECT_ROOT / "m.tar.gz"))
