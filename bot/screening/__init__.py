"""Job-offer screening: indicators of trafficking recruitment, scoring, explanations.

    from bot.screening import screen, explain
    result = screen("Se busca señoritas, pasajes pagados, Puerto Maldonado")
    result.risk, result.indicators, explain(result, "es")
"""
from bot.screening.catalog import CatalogError, load_catalog
from bot.screening.explain import explain
from bot.screening.questions import indicators_from_answers, load_questions, next_question
from bot.screening.screener import Indicator, ScreenResult, screen, screen_with_answers

__all__ = [
    "CatalogError", "Indicator", "ScreenResult", "explain", "indicators_from_answers",
    "load_catalog", "load_questions", "next_question", "screen", "screen_with_answers",
]
