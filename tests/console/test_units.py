"""Pure parts of the console: transcript parsing, delivery routing, canned replies, charts,
report sections, the offline form, API token storage."""
import asyncio
import types
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from markupsafe import Markup

from bot.console import canned, charts, delivery, offline, report_view, transcripts

TRACKER = {"events": [
    {"event": "action", "name": "action_session_start", "timestamp": 1.0},
    {"event": "session_started", "timestamp": 1.0},
    {"event": "user", "text": "hola", "timestamp": 2.0, "input_channel": "rest", "metadata": {"channel": "web"}},
    {"event": "slot", "name": "language", "value": "qu", "timestamp": 2.1},
    {"event": "bot", "text": "Allinllachu", "timestamp": 3.0, "metadata": {}, "data": {
        "buttons": [{"title": "Castellano", "payload": "/x"}]}},
    {"event": "user", "text": '/choose_language{"language": "es"}', "timestamp": 4.0,
     "parse_data": {"intent": {"name": "choose_language"}}},
    {"event": "pause", "timestamp": 5.0},
    {"event": "bot", "text": "Te escribe Ana", "timestamp": 6.0,
     "metadata": {"operator": True, "operator_name": "Ana"}},
    {"event": "bot", "timestamp": 6.5, "metadata": {}},
]}


def test_transcript_parsing_labels_senders_and_reads_language_channel_and_pause():
    t = transcripts.parse("c1", TRACKER)
    assert [m.sender for m in t.messages] == ["system", "user", "bot", "user", "system", "operator"]
    assert t.messages[2].buttons == ("Castellano",)
    assert t.messages[3].text == "[opción elegida: choose_language]"
    assert t.messages[5].operator_name == "Ana" and t.messages[5].index == 7
    assert (t.language, t.channel, t.paused, t.event_count) == ("qu", "web", True, 9)
    assert t.messages[1].at == datetime.fromtimestamp(2.0).astimezone(t.messages[1].at.tzinfo)
    resumed = transcripts.parse("c1", {"events": TRACKER["events"] + [{"event": "resume"}]})
    assert resumed.paused is False
    assert transcripts.parse("c1", {**TRACKER, "paused": False}).paused is False   # Rasa's own flag wins


def test_without_a_language_slot_the_detected_language_is_used():
    events = [{"event": "user", "text": "allinllachu", "parse_data": {"language_detection": {"lang": "qu"}}},
              {"event": "user", "text": "ok", "parse_data": {"language_detection": {"lang": "und"}}}]
    t = transcripts.parse("c", {"events": events})
    assert (t.language, t.language_detected) == ("qu", True)
    assert [m.language for m in t.messages] == ["qu", "und"]
    slot = transcripts.parse("c", {"events": events + [{"event": "slot", "name": "language", "value": "es"}]})
    assert (slot.language, slot.language_detected) == ("es", False)


def test_operator_messages_after_an_index():
    assert transcripts.operator_messages_after(TRACKER, None) == ([], 9)
    assert transcripts.operator_messages_after(TRACKER, 0) == ([{"text": "Te escribe Ana", "operator": True}], 9)
    assert transcripts.operator_messages_after(TRACKER, 8) == ([], 9)


def test_the_operator_event_shape():
    assert transcripts.operator_event("hola", "Ana") == {
        "event": "bot", "text": "hola", "metadata": {"operator": True, "operator_name": "Ana"}}


def test_reply_channel_prefers_the_contacts_channel():
    assert delivery.reply_channel("whatsapp", "telegram") == "telegram"
    assert delivery.reply_channel("web", "rest") == "rest"
    assert delivery.reply_channel("telefono", None) is None
    assert delivery.can_reply("sms") and delivery.can_reply("rest") and not delivery.can_reply("presencial")


def run(coro):
    """asyncio.run in its own thread: Playwright's sync API may hold a loop in this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_delivery_handles_sync_and_async_services_and_never_raises(monkeypatch):
    sync = types.SimpleNamespace(send_to_conversation=lambda c, t: types.SimpleNamespace(message_id="m", status="queued"))
    monkeypatch.setattr(delivery, "load_outbound", lambda: sync)
    assert run(delivery.send("c", "sms", "hola")) == delivery.DeliveryResult("outbound", "queued", "m")

    def boom(c, t):
        raise ConnectionError("down")

    monkeypatch.setattr(delivery, "load_outbound", lambda: types.SimpleNamespace(send_to_conversation=boom))
    failed = run(delivery.send("c", "telegram", "hola"))
    assert failed.status == "failed" and failed.error == "ConnectionError" and not failed.delivered_or_queued
    assert run(delivery.send("c", "web", "hola")).status == "in_chat"
    assert run(delivery.send("c", "presencial", "hola")).status == "unavailable"
    monkeypatch.setattr(delivery, "load_outbound", lambda: None)
    assert run(delivery.send("c", "whatsapp", "hola")).error == "OutboundServiceMissing"
    assert delivery.status("m") is None and delivery.status(None) is None


def test_canned_replies_exist_in_both_languages_with_known_placeholders():
    items = canned.load()
    assert len(items) >= 6 and all(set(c.texts) == {"es", "qu"} for c in items)
    assert all(c.pending_review == ("qu",) for c in items)
    filled = canned.get("peligro").text("es", "Ana")
    assert "105" in filled and "{" not in filled
    qu = canned.for_form("qu", "Ana")
    assert all(o["pending_review"] for o in qu) and not any(o["pending_review"] for o in canned.for_form("es", "Ana"))
    assert "Ana" in canned.get("saludo").text("qu", "Ana")


def test_a_canned_file_with_an_unknown_placeholder_is_refused(tmp_path):
    bad = tmp_path / "c.yml"
    bad.write_text("replies:\n  - id: x\n    title: X\n    es: 'Llama al {numero_inventado}'\n")
    with pytest.raises(canned.CannedError, match="numero_inventado"):
        canned.load.__wrapped__(bad)


def test_charts_escape_labels_and_describe_their_data():
    svg = charts.hbar("Título <b>", [("<script>alert(1)</script>", 3), ("Lima", 0)], chart_id="t")
    assert isinstance(svg, Markup) and "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'role="img"' in svg and "<desc" in svg and "Lima: 0" in svg and "style=" not in svg
    stacked = charts.stacked_columns("Meses", ["2026-01", "2026-02"], [("Denuncia", [2, 0]), ("Consulta", [1, 4])])
    assert stacked.count("<rect") == 3 + 2      # three non-zero segments and two legend swatches
    assert "2026-01: Denuncia 2, Consulta 1" in stacked
    assert "Sin datos" in charts.hbar("Vacío", [])


def test_report_sections_label_every_code():
    from tests.cases_store.helpers import minor_report

    sections = report_view.sections(minor_report().to_dict())
    text = " ".join(f"{k} {v}" for s in sections for k, v in s.rows)
    assert "Explotación sexual" in text and "MENOR DE EDAD" in text and "Madre de Dios" in text
    assert "explotacion_sexual" not in text and report_view.sections(None) == []
    assert report_view.screening({"screening": {"risk": "medium", "indicators": ["x"]}})["risk_label"] == "Riesgo medio"
    assert report_view.screening({}) is None


def test_offline_places_resolve_inside_the_chosen_department():
    notes, problems = [], []
    assert offline.location("08", "Quillabamba", "", "Origen", notes, problems).ubigeo.startswith("0809")
    assert offline.location("08", "", "", "Origen", notes, problems).ubigeo == "08"
    assert offline.location("", "", "BO", "Destino", notes, problems).country == "BO"
    kept = offline.location("08", "Iquitos", "", "Origen", notes, problems)
    assert kept.ubigeo == "08" and "no se encontró" in notes[-1]
    assert offline.location("", "Cusco", "", "Origen", notes, problems) is None and "elige el departamento" in problems[-1]
    assert offline.location("", "", "Bolivia", "Destino", notes, problems) is None


def test_offline_form_parsing_builds_a_report():
    parsed = offline.parse({"channel": "telefono", "v1_age": "14", "v1_sex": "hombre", "ongoing_exploitation": "no",
                            "contact_back": "1", "contact_channel": "whatsapp", "contact_details": "por la tarde"},
                           {"purposes": ["mendicidad"]})
    assert not parsed.problems
    r = parsed.report
    assert r.victims[0].is_minor and r.victims[0].age_band == "13_17" and r.ongoing_exploitation is False
    assert r.purposes == ["mendicidad"] and parsed.contact_details == "por la tarde"
    assert offline.parse({"channel": "whatsapp"}, {}).problems == ["Canal: elige «Teléfono» o «En persona»."]
    future = offline.parse({"channel": "telefono", "received_at": "2999-01-01T10:00"}, {})
    assert any("futuro" in p for p in future.problems)


def test_api_tokens_store_only_a_hash(database_url, people):
    from sqlalchemy import select

    from bot.console import tokens
    from bot.db.models import ApiToken
    from bot.db.session import session_scope

    with session_scope() as db:
        value, view = tokens.create(db, people["operator"].id, label="script")
    with session_scope() as db:
        stored = db.execute(select(ApiToken.token_hash).where(ApiToken.id == view.id)).scalar_one()
        assert value not in stored and len(stored) == 64
        assert tokens.verify(db, value).id == people["operator"].id
        assert tokens.verify(db, value[:-1] + "x") is None and tokens.verify(db, "no-prefix") is None
