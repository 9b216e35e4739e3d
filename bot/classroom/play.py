"""What the assistant says to a student: join, question, feedback, closing, leave.

Plain functions from (sender id, what was typed) to a list of bubbles
``{"text": ..., "buttons": [...]}``; the Rasa actions (actions/classroom.py) only pass
them on. Answer buttons carry the letter itself as payload, so a tap, a typed "b" and a
typed "2" all reach the same place (bot.classroom.nlu).
"""
from __future__ import annotations

import math
from typing import Any

from bot.classroom import codes, guard, store
from bot.classroom.modules import Question, text
from bot.config import template_values
from bot.db.session import session_scope

Bubble = dict[str, Any]

MESSAGES = {
    "joined": {
        "es": "Te uniste a la clase «{title}». 🙌",
        "qu": "«{title}» clasemanmi yaykurunki. 🙌",
    },
    "rejoined": {
        "es": "Sigues en la clase «{title}». Seguimos donde te quedaste.",
        "qu": "«{title}» clasepi kachkankiraqmi. Saqisqaykimanta qatipasun.",
    },
    "no_code": {
        "es": "Para unirte a una clase, escribe el código que muestra tu profesora o profesor, por ejemplo: CLASE K4M 7P2.",
        "qu": "Huk clasemam yaykunaykipaq, yachachiqniykiq rikuchisqan codigota qillqay, kay hina: CLASE K4M 7P2.",
    },
    "unknown": {
        "es": "No encuentro una clase con el código {code}. Revisa el código en la pizarra (3 letras y 3 números, "
              "por ejemplo K4M 7P2) y escríbelo otra vez. Si tu clase ya terminó, ese código ya no sirve. 🙂",
        "qu": "Manam tarinichu {code} codigoyuq clase. Pizarrapi codigota qhawariy (3 letrakuna, 3 yupaykuna, "
              "kay hina: K4M 7P2), hinaspa yapamanta qillqay. Claseyki tukurunña chayqa, chay codigoqa manaña "
              "servinchu. 🙂",
    },
    "slow_down": {
        "es": "Ese código tampoco es de una clase. Espera {minutes} min y vuelve a intentarlo con el código de la "
              "pizarra. Si no lo ves bien, pregúntale a tu profesora o profesor.",
        "qu": "Chay codigopas manam clasepaqchu. {minutes} minutota suyay, hinaspa pizarrapi codigowan yapamanta "
              "qillqay. Mana allinta rikuspaqa, yachachiqniykita tapuy.",
    },
    "expired": {
        "es": "Esa clase ya terminó. ¡Gracias por participar! Si quieres saber más o necesitas ayuda, escríbeme cuando quieras.",
        "qu": "Chay claseqa tukurunñam. Sulpayki! Astawan yachayta munaspa utaq yanapayta necesitaspa, "
              "qillqamuway hayk'appas.",
    },
    "question": {"es": "Pregunta {n} de {total}", "qu": "{n} kaq tapukuy, {total} kaqmanta"},
    "right": {"es": "✅ ¡Bien!", "qu": "✅ Allinmi!"},
    "wrong": {
        "es": "❌ No es la mejor opción. La más segura es: {letter}) {answer}.",
        "qu": "❌ Manam aswan allinchu. Aswan allinqa: {letter}) {answer}.",
    },
    "invalid": {
        "es": "Responde con una de las letras ({letters}) o escribe «salir» para dejar la clase.",
        "qu": "Huk letrawan kutichiy ({letters}), utaq «lluqsiy» qillqay clasemanta lluqsinaykipaq.",
    },
    "score": {"es": "Acertaste {score} de {total}.", "qu": "{total} kaqmanta {score} allinta kutichirqanki."},
    "done": {
        "es": "Ya terminaste esta clase: acertaste {score} de {total}. Espera a tu profesora o profesor para conversar.",
        "qu": "Kay clasetaqa tukurunkiñam: {total} kaqmanta {score} allinta kutichirqanki. Yachachiqniykita suyay.",
    },
    "left": {
        "es": "Saliste de la clase. Lo que respondiste queda solo en el total de la clase, sin tu nombre. "
              "Puedes volver con el mismo código mientras la clase siga abierta.",
        "qu": "Clasemanta lluqsirunki. Kutichisqaykiqa llapanpa yupayninpillam kanqa, mana sutiykiyuq. "
              "Kikin codigowan kutimuyta atinki clase kichasqa kachkaptin.",
    },
    "not_in_class": {
        "es": "Ahora no estás en ninguna clase. Para unirte, escribe el código que muestra tu profesora o profesor.",
        "qu": "Kunanqa manam mayqin clasepipas kachkankichu. Yaykunaykipaq, yachachiqniykiq codigonta qillqay.",
    },
}


def say(key: str, language: str, **values: Any) -> str:
    table = MESSAGES[key]
    return (table.get(language) or table["es"]).format(**values)


def question_bubbles(question: Question, number: int, total: int, language: str) -> list[Bubble]:
    values = template_values()
    head = say("question", language, n=number, total=total)
    buttons = [{"title": f"{c.id}) {text(c.text, language, values)}", "payload": c.id} for c in question.choices]
    return [{"text": f"{head}\n{text(question.scenario, language, values)}", "buttons": buttons}]


def _seat_question(seat: store.Seat) -> list[Bubble]:
    question = seat.question
    if question is None:
        return []
    return question_bubbles(question, seat.number, len(seat.module.questions), seat.language)


def join(sender_id: str, message: str, language: str, guesser: str | None = None) -> list[Bubble]:
    """``guesser``: the sender's pseudonym, to slow down guessing of codes (bot.classroom.guard)."""
    code = codes.find_code(message)
    if not code:
        return [{"text": say("no_code", language)}]
    if guesser:
        decision = guard.check(guesser)
        if not decision.allowed:
            return [{"text": say("slow_down", language, minutes=max(1, math.ceil(decision.retry_after / 60)))}]
    with session_scope() as db:
        result = store.join(db, message, sender_id)
        if result.status == "unknown" and guesser:
            guard.record_failure(guesser)
        if result.status in ("unknown", "expired"):
            return [{"text": say(result.status, language, code=codes.display(code))}]
        seat = result.seat
        lang = seat.language
        module = seat.module
        values = template_values()
        title = text(module.title, lang, values)
        if result.status == "joined":
            bubbles = [{"text": say("joined", lang, title=title) + "\n" + text(module.intro, lang, values)}]
        else:
            bubbles = [{"text": say("rejoined", lang, title=title)}]
        if seat.question is None:
            bubbles.append({"text": say("done", lang, score=seat.participant.correct_count,
                                        total=len(module.questions))})
            return bubbles
        return bubbles + _seat_question(seat)


def answer(sender_id: str, choice_id: str) -> list[Bubble] | None:
    """Feedback and what comes next; None when this conversation is in no class."""
    with session_scope() as db:
        result = store.answer(db, sender_id, choice_id)
        if result.status == "not_in_class":
            return None
        seat = result.seat
        lang = seat.language
        values = template_values()
        if result.status == "done_already":
            return [{"text": say("done", lang, score=result.score, total=result.total)}]
        if result.status == "invalid":
            letters = ", ".join(c.id for c in result.question.choices)
            return [{"text": say("invalid", lang, letters=letters)}] + _seat_question(seat)
        question = result.question
        chosen = question.choice(result.choice_id)
        correct = question.correct
        parts = [say("right", lang) if result.correct else
                 say("wrong", lang, letter=correct.id, answer=text(correct.text, lang, values))]
        if chosen.feedback:
            parts.append(text(chosen.feedback, lang, values))
        parts.append(text(question.explanation, lang, values))
        bubbles: list[Bubble] = [{"text": "\n".join(parts)}]
        if result.status == "finished":
            bubbles.append({"text": say("score", lang, score=result.score, total=result.total) + "\n"
                            + text(seat.module.closing, lang, values)})
        else:
            bubbles += question_bubbles(result.next_question, seat.number, result.total, lang)
        return bubbles


def reprompt(sender_id: str) -> list[Bubble] | None:
    """A message the assistant did not understand, from a student in class: the question again."""
    with session_scope() as db:
        seat = store.current_seat(db, sender_id)
        if seat is None:
            return None
        if seat.question is None:
            return [{"text": say("done", seat.language, score=seat.participant.correct_count,
                                 total=len(seat.module.questions))}]
        letters = ", ".join(c.id for c in seat.question.choices)
        return [{"text": say("invalid", seat.language, letters=letters)}] + _seat_question(seat)


def leave(sender_id: str, language: str) -> list[Bubble] | None:
    with session_scope() as db:
        seat = store.leave(db, sender_id)
        if seat is None:
            return None
        return [{"text": say("left", seat.language)}]


def in_class(sender_id: str, *, unfinished: bool = True) -> bool:
    """Is this conversation in a running class (with questions still to answer)?"""
    with session_scope() as db:
        seat = store.current_seat(db, sender_id)
        return seat is not None and (not unfinished or seat.question is not None)
