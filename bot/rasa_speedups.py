"""A measured fix for Rasa 3.6's check of action-server answers.

`RemoteAction._validate_action_result` calls `jsonschema.validate`, which first checks
Rasa's own, constant response schema against the JSON Schema meta-schema, on every custom
action call. In bench/roundtrip.py that was half of the Rasa server's CPU time (py-spy).
Here the schema is checked once and its validator reused: same schema, same best-match
error and the same message suffix, so behaviour is unchanged. Only Rasa imports this module
(through bot.rasa_stores, which endpoints.yml names).
"""
from __future__ import annotations

import functools
from typing import Any

from jsonschema import exceptions, validators
from rasa.core.actions import action as rasa_action
from rasa.shared.constants import DOCS_BASE_URL


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    schema = rasa_action.RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    error = exceptions.best_match(_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def apply() -> None:
    rasa_action.RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]

