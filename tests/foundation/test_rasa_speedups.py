"""The cached action-result check accepts and rejects exactly what Rasa's own does."""
import jsonschema
import pytest
from jsonschema import ValidationError
from rasa.core.actions import action as rasa_action

from bot import rasa_speedups

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "language", "value": "qu"}], "responses": [{"text": "Allinllachu"}]},
    {"events": [{"event": "followup", "name": "action_listen"}]},
]
INVALID = [
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"events": [{"event": "slot"}]},
]


def rasa_check(result):
    """What Rasa 3.6's RemoteAction._validate_action_result does (minus the message suffix)."""
    jsonschema.validate(result, rasa_action.RemoteAction.action_response_format_spec())
    return True


@pytest.mark.parametrize("result", VALID)
def test_valid_results_pass_both(result):
    assert rasa_check(result) is True
    assert rasa_speedups.validate_action_result(None, result) is True


@pytest.mark.parametrize("result", INVALID)
def test_invalid_results_fail_both_with_the_same_error(result):
    with pytest.raises(ValidationError) as theirs:
        rasa_check(result)
    with pytest.raises(ValidationError) as ours:
        rasa_speedups.validate_action_result(None, result)
    assert ours.value.message.startswith(theirs.value.message + ". Failed to validate Action server response")
    assert list(ours.value.path) == list(theirs.value.path)


def test_rasa_stores_installs_it():
    import bot.rasa_stores  # noqa: F401  (what the Rasa server imports through endpoints.yml)

    assert rasa_action.RemoteAction._validate_action_result is rasa_speedups.validate_action_result
