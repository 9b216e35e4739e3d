import json
from pathlib import Path

import pytest
from langdetect.detector_factory import DetectorFactory, PROFILES_DIRECTORY
from langdetect.utils.lang_profile import LangProfile

from bot.language.build_profile import PROFILE_PATH, TRAIN_DIR, build_profile, quechua_train_files

TRAIN = TRAIN_DIR.resolve()


def test_shipped_profile_is_a_small_langdetect_profile():
    assert PROFILE_PATH.exists()
    assert PROFILE_PATH.stat().st_size < 1_000_000
    data = json.loads(PROFILE_PATH.read_text(encoding="utf-8"))
    assert data["name"] == "qu"
    assert len(data["n_words"]) == 3
    profile = LangProfile(**data)
    assert profile.freq["qa"] > 0


def test_profile_loads_next_to_langdetect_profiles():
    factory = DetectorFactory()
    bundled = [p.read_text(encoding="utf-8") for p in sorted(Path(PROFILES_DIRECTORY).iterdir())]
    factory.load_json_profile(bundled + [PROFILE_PATH.read_text(encoding="utf-8")])
    factory.set_seed(0)
    assert "qu" in factory.get_lang_list()
    detector = factory.create()
    detector.append("Runaqa runa kaynin raykun mana paqarimusqanmanta pacha sapallan kausayta atinchu")
    assert detector.detect() == "qu"


def test_build_profile_counts_folded_spellings():
    profile = build_profile(["Qosqo llaqtapi llamk'ani"] * 5)
    assert profile["name"] == "qu"
    # "qosqo" as written and folded to "qusqu"
    assert profile["freq"].get("qos", 0) > 0
    assert profile["freq"].get("qus", 0) > 0
    assert build_profile(["Qosqo"] * 5, fold=False)["freq"].get("qus", 0) == 0


@pytest.mark.skipif(not TRAIN.is_dir(), reason="../shared/corpora/quechua/train is not available")
def test_profile_is_built_from_train_only_and_is_reproducible(tmp_path):
    files = quechua_train_files(TRAIN)
    assert files and all(f.parent == TRAIN for f in files)
    assert not any(f.name.endswith(".es.txt") for f in files)
    from bot.language.build_profile import main

    out = tmp_path / "qu"
    assert main(["--output", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(PROFILE_PATH.read_text(encoding="utf-8"))
