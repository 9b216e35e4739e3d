"""Channel connectors: Telegram (python-telegram-bot) and Twilio (WhatsApp, SMS).

Each channel is a Rasa custom channel registered in ``credentials.yml`` by module path.
Shared concerns live once, below the handlers: webhook authentication, de-duplication
(``dedup``), per-conversation processing order (``queue``), formatting per channel
(``formatting``, ``gsm``, ``sms``), the outbox with retries (``outbox``, ``delivery``)
and the outbound service the console uses (``outbound``). See docs/channels.md.
"""
