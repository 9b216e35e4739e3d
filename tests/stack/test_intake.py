"""Full complaint conversations through the REST channel, report checked field by field."""
import re
import secrets

import pytest
from sqlalchemy import select

from bot.cases import store
from bot.db.models import Case
from bot.db.session import session_scope

pytestmark = pytest.mark.stack
CODE = re.compile(r"\b[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b")


def converse(stack, sender, turns):
    replies = []
    for text in turns:
        answer = stack.texts(sender, text)
        assert answer, f"no reply to {text!r}"
        replies.append(answer)
    return replies


def case_of(sender):
    with session_scope() as db:
        case = db.execute(select(Case).where(Case.conversation_id == sender)).scalar_one()
    return store.case_detail(case.id)


def test_a_spanish_report_is_stored_field_by_field(stack):
    sender = f"intake-es-{secrets.token_hex(4)}"
    narrative = "Mi prima de 16 años se fue a trabajar a un bar en Mazuko hace un mes y ya no contesta"
    replies = converse(stack, sender, [
        "quiero denunciar un caso",
        narrative,
        "opt:ongoing",
        "Mazuko",
        "es mi prima",
        "16",
        "1",
        "por una oferta de trabajo en facebook",
        "opt:no",
        "opt:send",
    ])
    assert "preguntas" in replies[0][0] and "Cuéntame" in replies[0][-1]
    assert "Esto es lo que anoté" in replies[-2][0] and "Mazuko" in replies[-2][0]
    code = CODE.search(replies[-1][0]).group()
    detail = case_of(sender)
    report = detail.report
    assert detail.code == code
    assert detail.priority == "P1"  # a minor
    assert detail.category == "denuncia" and detail.channel == "web" and detail.language == "es"
    assert detail.narrative == narrative  # the person's own words, accents and capitals kept
    assert report.ongoing_exploitation is True and not report.danger_now
    assert report.destination.place.departamento == "Madre de Dios"
    assert report.reporter_role == "familiar_o_cuidador"
    assert report.victims[0].age_years == 16 and report.victims[0].is_minor
    assert report.purposes == ["explotacion_sexual"]
    assert report.recruitment in ("oferta_trabajo", "internet_redes")
    assert report.anonymous and not report.contact_back


def test_a_quechua_report_with_skips_and_a_correction(stack):
    sender = f"intake-qu-{secrets.token_hex(4)}"
    replies = converse(stack, sender, [
        "allinllachu",
        "denunciayta munani",
        "ñañaymi Puerto Maldonadoman llamk'aq ripurqa, manañam rimanchikchu",
        "mana yachanichu",
        "Puerto Maldonado",
        "ñañay",
        "saltar",
        "2",
        "opt:internet_redes",
        "arí",
        "opt:fix",
        "opt:report_age",
        "17 watayuq",
        "opt:send",
    ])
    assert "Kaytam qillqarqani" in replies[9][0] and "Kaytam qillqarqani" in replies[12][0]  # summary in Quechua
    code = CODE.search(" ".join(replies[-1])).group()
    detail = case_of(sender)
    report = detail.report
    assert detail.code == code and detail.language == "qu"
    assert report.destination.ubigeo == "170101"
    assert report.reporter_role == "familiar_o_cuidador"
    assert report.victims[0].age_years == 17  # corrected from "skipped"
    assert report.purposes == ["explotacion_laboral"]
    assert report.recruitment == "internet_redes"
    assert report.contact_back and report.contact_channel == "web"
    assert report.ongoing_exploitation is None  # "I don't know"
    assert "Maldonadoman" in detail.narrative


def test_cancelling_midway_stores_nothing(stack):
    sender = f"intake-cancel-{secrets.token_hex(4)}"
    replies = converse(stack, sender, ["quiero hacer una denuncia", "algo pasó en mi barrio", "cancelar"])
    assert "no guardé" in " ".join(replies[-1])
    with session_scope() as db:
        assert db.execute(select(Case).where(Case.conversation_id == sender)).first() is None
    assert stack.texts(sender, "hola")  # and the conversation goes on


def test_danger_in_the_middle_of_a_report_gives_the_numbers_first(stack):
    from bot.config import template_values

    sender = f"intake-danger-{secrets.token_hex(4)}"
    replies = converse(stack, sender, ["quiero denunciar", "una chica en un bar de La Pampa", "opt:danger"])
    assert template_values()["police_number"] in replies[-1][0]
    detail = case_of(sender)
    assert detail.priority == "P1" and detail.waiting_for_operator
    assert detail.code in " ".join(replies[-1])
