from bot.content import menu
from bot.content.replies import keys, reply
from bot.config import template_values


def test_menu_buttons_exist_in_both_languages_and_point_to_known_intents():
    import yaml

    from bot.config import PROJECT_ROOT

    intents = set(yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["intents"])
    for lang in ("es", "qu"):
        buttons = menu.menu_buttons(lang)
        assert len(buttons) >= 5
        for button in buttons + menu.buttons("after_topic", lang) + menu.buttons("yes_no_case", lang):
            assert button["title"]
            assert button["payload"].startswith("/")
            assert button["payload"][1:].split("{")[0] in intents


def test_the_menu_offers_the_other_language():
    assert "choose_language" in menu.menu_buttons("es")[-1]["payload"] and '"qu"' in menu.menu_buttons("es")[-1]["payload"]
    assert '"es"' in menu.menu_buttons("qu")[-1]["payload"]


def test_replies_fill_numbers_from_configuration_and_fit_a_bubble():
    values = template_values()
    assert values["hotline_label"] in reply("report_failed", "qu")
    for key in keys():
        for lang in ("es", "qu"):
            assert len(reply(key, lang)) <= 320
