"""Custom actions through their public interface (rasa-sdk trackers), on a real database."""
import pytest
from sqlalchemy import select

from actions.case_status import ActionCaseStatus
from actions.emergency import ActionEmergency
from actions.fallback import ActionFallback
from actions.language import ActionDetectLanguage
from actions.offers import ActionOpenOfferCase, ActionScreenOffer
from actions.report_form import ActionSubmitReport, ValidateReportForm
from actions.topics import ActionAnswerTopic
from bot.cases import intake, store
from bot.config import template_values
from bot.db.models import Case, CaseEvent, Contact
from bot.db.session import session_scope
from tests.actions.helpers import make_tracker, run, slots_of, validate


def texts(messages):
    return [m.get("text") or "" for m in messages]


def case_by_code(code):
    with session_scope() as db:
        return db.execute(select(Case).where(Case.code == code)).scalar_one()


def test_emergency_numbers_come_first_then_a_p1_case_waiting_for_an_operator(database_url):
    values = template_values()
    messages, events = run(ActionEmergency(), make_tracker("me tienen encerrada ayuda", intent="emergency"))
    first = texts(messages)[0]
    assert values["police_number"] in first and values["hotline_label"] in first
    slots = slots_of(events)
    assert slots["report_emergency"] is True and slots["report_now"] == "danger"
    with session_scope() as db:
        case = db.get(Case, slots["report_case_id"])
        assert case.priority == "P1" and case.waiting_for_operator and case.category == "denuncia"
        code = case.code
    assert code in texts(messages)[1]


def test_emergency_twice_in_one_session_is_one_case(database_url, unique):
    sender = f"twice-{unique}"
    _, first = run(ActionEmergency(), make_tracker("ayuda", intent="emergency", sender=sender))
    _, second = run(ActionEmergency(), make_tracker("ayuda por favor", intent="emergency", sender=sender))
    assert slots_of(first)["report_case_id"] == slots_of(second)["report_case_id"]


def test_full_report_is_stored_field_by_field_and_only_once(database_url, unique):
    answers = {"report_what": "Mi prima se fue a Mazuko con una señora y no contesta", "report_now": "ongoing",
               "report_where": "170101", "report_who": "familiar_o_cuidador", "report_age": "13_17:16",
               "report_purposes": "explotacion_sexual", "report_recruitment": "oferta_trabajo",
               "report_contact": "no", "report_confirm": "send"}
    history = [{"event": "active_loop", "name": "report_form", "timestamp": 5.0}]
    tracker = make_tracker("opt:send", slots=answers, sender=f"rep-{unique}", history=history, channel="telegram",
                           metadata={"channel": "telegram"})
    messages, events = run(ActionSubmitReport(), tracker)
    code = next(t for t in texts(messages) if "código" in t).split("código ")[1][:9]
    again, _ = run(ActionSubmitReport(), tracker)
    assert code in texts(again)[0]  # an action retry gives the same case
    case = case_by_code(code)
    detail = store.case_detail(case.id)
    report = detail.report
    assert case.priority == "P1"  # a minor
    assert case.channel == "telegram" and case.category == "denuncia"
    assert report.destination.ubigeo == "170101" and report.victims[0].age_years == 16
    assert report.purposes == ["explotacion_sexual"] and report.recruitment == "oferta_trabajo"
    assert report.reporter_role == "familiar_o_cuidador" and report.anonymous and not report.contact_back
    assert "Mazuko" in detail.narrative
    assert all(v is None for v in slots_of(events).values())  # the form's slots are cleared


def test_cancelling_the_form_stores_nothing(database_url, unique):
    tracker = make_tracker("cancelar", slots={"report_cancelled": True, "report_what": "algo"},
                           sender=f"cancel-{unique}")
    messages, _ = run(ActionSubmitReport(), tracker)
    assert "no guardé" in texts(messages)[0]
    with session_scope() as db:
        assert not db.execute(select(Case).where(Case.conversation_id == f"cancel-{unique}")).first()


def test_form_commands_stop_skip_human_and_danger(database_url, unique):
    form = ValidateReportForm()
    tracker = make_tracker("CANCELAR", requested_slot="report_who", active_loop="report_form")
    _, result = validate(form, "report_who", "CANCELAR", tracker)
    assert result["report_cancelled"] is True

    _, result = validate(form, "report_who", "saltar", make_tracker("saltar"))
    assert result == {"report_who": intake.SKIP}

    sender = f"human-{unique}"
    messages, result = validate(form, "report_who", "quiero hablar con una persona",
                                make_tracker("quiero hablar con una persona", intent="talk_to_human", sender=sender))
    assert result == {"report_who": None} and "avisé al equipo" in texts(messages)[0]
    with session_scope() as db:
        assert db.execute(select(Case.waiting_for_operator).where(Case.conversation_id == sender)).scalar_one()

    messages, result = validate(form, "report_now", "opt:danger", make_tracker("opt:danger", sender=f"d-{unique}"))
    assert result["report_now"] == "danger" and result["report_emergency"] is True
    assert template_values()["police_number"] in texts(messages)[0]


def test_an_answer_not_understood_is_asked_once_more_then_skipped(database_url):
    form = ValidateReportForm()
    messages, result = validate(form, "report_who", "zzz", make_tracker("zzz"))
    assert result == {"report_who": None} and messages
    warned = make_tracker("zzz", history=[{"event": "bot", "text": intake.message("not_understood", "es")}])
    _, result = validate(form, "report_who", "zzz", warned)
    assert result == {"report_who": intake.SKIP}


def test_case_status_answers_only_the_status(database_url, unique):
    _, events = run(ActionEmergency(), make_tracker("ayuda", intent="emergency", sender=f"st-{unique}"))
    with session_scope() as db:
        code = db.get(Case, slots_of(events)["report_case_id"]).code
    messages, _ = run(ActionCaseStatus(), make_tracker(code, intent="case_status", slots={"case_code": code, "language": "qu"}))
    assert code in texts(messages)[0] and "chaskirqayku" in texts(messages)[0]
    messages, _ = run(ActionCaseStatus(), make_tracker("x", slots={"case_code": "K7M4-9QXT"}))
    assert "No encontré" in texts(messages)[0]
    messages, _ = run(ActionCaseStatus(), make_tracker("x", slots={"case_code": "malformed:confusable"}))
    assert "nunca llevan 0" in texts(messages)[0]


def test_wrong_codes_from_one_sender_are_slowed_down(database_url, unique):
    sender = f"guess-{unique}"
    answers = []
    for code in ("K7M4-9QXT", "H3TR-8WQA", "22AB-CD34", "Z9Y8-X7W6", "M4N5-P6Q7", "R2S3-T4U5"):
        from bot.cases.codes import parse_code, new_code
        valid = parse_code(code) or new_code()
        messages, _ = run(ActionCaseStatus(), make_tracker("x", sender=sender, slots={"case_code": valid}))
        answers.append(texts(messages)[0])
    assert any("espera" in a for a in answers)


def test_high_risk_offer_is_explained_and_offers_a_case(database_url, unique):
    text = "Se busca señoritas de 16 años para bar en La Pampa, pasaje pagado, no le digas a tu familia"
    sender = f"offer-{unique}"
    messages, events = run(ActionScreenOffer(), make_tracker(text, intent="check_job_offer", sender=sender))
    slots = slots_of(events)
    assert slots["offer_needs_questions"] is False
    joined = "\n".join(texts(messages))
    assert "16 años" in joined or "La Pampa" in joined
    assert slots["offer_case_pending"] is True and slots["offer_result"]["risk"] == "high"
    assert [b["payload"] for b in messages[-1]["buttons"]] == ["/affirm", "/deny"]


def test_vague_offer_starts_the_guided_questions(database_url):
    messages, events = run(ActionScreenOffer(), make_tracker("me ofrecieron un trabajo, ¿es seguro?",
                                                               intent="check_job_offer"))
    assert slots_of(events)["offer_needs_questions"] is True and "preguntas" in texts(messages)[0]


def test_opening_an_orientation_case_keeps_the_screening(database_url, unique):
    sender = f"orient-{unique}"
    summary = {"risk": "high", "score": 9, "indicators": ["risk_destination", "travel_paid"], "rules": [],
               "danger_now": False, "minor": False}
    tracker = make_tracker("sí", intent="affirm", sender=sender,
                           slots={"offer_result": summary, "offer_text": "trabajo en Mazuko, pasaje pagado"})
    messages, _ = run(ActionOpenOfferCase(), tracker)
    with session_scope() as db:
        case = db.execute(select(Case).where(Case.conversation_id == sender)).scalar_one()
        screened = db.execute(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                      CaseEvent.action == "screened")).scalar_one()
    assert case.category == "orientacion_oferta" and case.origin == "screener"
    assert screened.details["indicators"] == ["risk_destination", "travel_paid"]
    assert case.code in texts(messages)[0]


def test_language_follows_quechua_and_an_explicit_choice_sticks(database_url, unique):
    sender = f"lang-{unique}"
    _, events = run(ActionDetectLanguage(), make_tracker("allinllachu", sender=sender))
    assert slots_of(events)["language"] == "qu"
    entities = [{"entity": "language", "value": "es"}]
    _, events = run(ActionDetectLanguage(), make_tracker("castellanopi rimaway", sender=sender, entities=entities,
                                                         slots={"language": "qu"}))
    assert slots_of(events) == {"language": "es", "language_chosen": "es"}
    long_quechua = "ñañaymi Puerto Maldonadoman ripurqa llamk'aq, manañam rikunchikchu"
    _, events = run(ActionDetectLanguage(), make_tracker(long_quechua, sender=sender,
                                                         slots={"language": "es", "language_chosen": "es"}))
    assert "language" not in slots_of(events)  # the choice sticks
    with session_scope() as db:
        assert db.execute(select(Contact.language).where(Contact.conversation_id == sender)).scalar_one() == "es"


@pytest.mark.parametrize("text,expected", [("😀😀", "No logré leer"), ("", "No logré leer"),
                                           ("What time is the match tonight?", "solo puedo conversar")])
def test_fallback_is_kind_and_shows_the_menu(text, expected):
    messages, events = run(ActionFallback(), make_tracker(text, intent="nlu_fallback"))
    assert expected in texts(messages)[0]
    assert messages[-1]["buttons"] and events == [{"event": "rewind", "timestamp": None}]


def test_topic_answer_is_short_and_offers_more():
    messages, events = run(ActionAnswerTopic(), make_tracker("que es la trata", intent="ask_what_is_trafficking",
                                                             slots={"language": "qu"}))
    assert len(messages) == 1 and len(messages[0]["text"]) <= 320
    assert messages[0]["buttons"][0]["payload"] == "/ask_more"
    assert slots_of(events) == {"last_topic": "what_is_trafficking"}
