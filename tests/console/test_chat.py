"""The test web chat: relaying to the assistant and showing operator replies by polling."""
import pytest

from bot.console.chat_routes import CHAT_COOKIE, conversation_id


def open_chat(b):
    page = b.get("/chat")
    assert page.status_code == 200
    return b.client.cookies.get(CHAT_COOKIE)


def test_poll_starts_at_the_end_then_returns_only_operator_messages(people, browser, rasa):
    b = browser(people["teacher"])
    chat = open_chat(b)
    conv = conversation_id(chat)
    rasa.conversation(conv, ("user", "hola"), ("bot", "Soy Willakuy"))
    first = b.get("/chat/poll").json()
    assert first["messages"] == [] and first["next"] == len(rasa.trackers[conv])
    rasa.append(conv, [{"event": "pause"},
                       {"event": "bot", "text": "Hola, te escribe la línea", "metadata": {"operator": True}}])
    rasa.conversation(conv, ("bot", "mensaje del asistente"))
    later = b.get(f"/chat/poll?after={first['next']}").json()
    assert later["messages"] == [{"text": "Hola, te escribe la línea", "operator": True}]
    assert b.get(f"/chat/poll?after={later['next']}").json()["messages"] == []
    assert b.get("/chat/poll?after=0").json()["messages"] == [{"text": "Hola, te escribe la línea", "operator": True}]


def test_poll_needs_the_chat_cookie_and_says_when_the_assistant_is_down(people, browser, rasa):
    b = browser(people["operator"])
    assert b.get("/chat/poll").status_code == 400
    open_chat(b)
    rasa.down = True
    down = b.get("/chat/poll?after=3")
    assert down.status_code == 503 and down.json()["next"] == 3


def test_each_browser_chat_is_its_own_conversation(people, browser):
    a, b = browser(people["operator"]), browser(people["operator"])
    assert conversation_id(open_chat(a)) != conversation_id(open_chat(b))
    assert conversation_id("x").startswith("web-") and "x" not in conversation_id("x")[4:]


@pytest.mark.parametrize("role", ["operator", "supervisor", "admin", "teacher"])
def test_every_role_can_use_the_chat(role, people, browser):
    assert browser(people[role]).get("/chat").status_code == 200
