import pytest

from bot.config import ConfigError, load_settings, template_values


def test_development_creates_keys_once_under_var(tmp_path):
    first = load_settings({"WILLAKUY_VAR_DIR": str(tmp_path)})
    second = load_settings({"WILLAKUY_VAR_DIR": str(tmp_path)})
    assert first.field_keys == second.field_keys
    assert first.pseudonym_key == second.pseudonym_key
    key_file = tmp_path / "keys" / "field.key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert first.database_url == f"sqlite:///{tmp_path / 'willakuy.db'}"


def test_production_refuses_to_start_without_keys(tmp_path):
    env = {"WILLAKUY_VAR_DIR": str(tmp_path), "WILLAKUY_ENV": "production", "DATABASE_URL": "postgresql://x@h/db"}
    with pytest.raises(ConfigError, match="WILLAKUY_FIELD_KEYS"):
        load_settings(env)
    assert not (tmp_path / "keys" / "field.key").exists()


def test_production_refuses_sqlite(tmp_path):
    with pytest.raises(ConfigError, match="PostgreSQL"):
        load_settings({"WILLAKUY_VAR_DIR": str(tmp_path), "WILLAKUY_ENV": "production"})


def test_unknown_environment_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="WILLAKUY_ENV"):
        load_settings({"WILLAKUY_VAR_DIR": str(tmp_path), "WILLAKUY_ENV": "staging"})


def test_heroku_style_postgres_url_is_accepted(tmp_path):
    s = load_settings({"WILLAKUY_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgres://u@h:5432/d"})
    assert s.database_url == "postgresql://u@h:5432/d"


def test_bad_port_names_the_variable(tmp_path):
    with pytest.raises(ConfigError, match="CONSOLE_PORT"):
        load_settings({"WILLAKUY_VAR_DIR": str(tmp_path), "CONSOLE_PORT": "eighty"})


def test_helpline_numbers_come_from_the_configuration_file(tmp_path):
    custom = tmp_path / "lines.yml"
    custom.write_text(
        "emergency: {number: '911', label: '911 test'}\nhotline: {number: '0800-1', label: 'Línea test'}\n"
    )
    s = load_settings({"WILLAKUY_VAR_DIR": str(tmp_path), "WILLAKUY_HELPLINES_FILE": str(custom)})
    values = template_values(s)
    assert values["police_number"] == "911"
    assert values["hotline_label"] == "Línea test"


def test_default_helplines_are_the_current_peruvian_lines(tmp_path):
    values = template_values(load_settings({"WILLAKUY_VAR_DIR": str(tmp_path)}))
    assert values["police_number"] == "105"
    assert values["hotline_label"] == "Línea 1818, opción 1"


def test_inbound_grace_period_is_read_and_checked(tmp_path):
    assert load_settings({"WILLAKUY_VAR_DIR": str(tmp_path)}).inbound_grace_seconds == 120
    s = load_settings({"WILLAKUY_VAR_DIR": str(tmp_path), "WILLAKUY_INBOUND_GRACE_SECONDS": "300"})
    assert s.inbound_grace_seconds == 300
    with pytest.raises(ConfigError, match="WILLAKUY_INBOUND_GRACE_SECONDS"):
        load_settings({"WILLAKUY_VAR_DIR": str(tmp_path), "WILLAKUY_INBOUND_GRACE_SECONDS": "2"})
