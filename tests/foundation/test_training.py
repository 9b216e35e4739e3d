from bot import training


def make_project(root):
    (root / "data" / "nlu").mkdir(parents=True)
    (root / "bot" / "language").mkdir(parents=True)
    (root / "config.yml").write_text("pipeline: []\n")
    (root / "domain.yml").write_text("version: '3.1'\n")
    (root / "data" / "nlu" / "es.yml").write_text("nlu: []\n")
    (root / "bot" / "language" / "component.py").write_text("x = 1\n")
    return root


def test_fingerprint_is_stable_without_changes(tmp_path):
    root = make_project(tmp_path)
    assert training.fingerprint(root) == training.fingerprint(root)


def test_fingerprint_changes_with_data_config_domain_or_component(tmp_path):
    root = make_project(tmp_path)
    seen = {training.fingerprint(root)}
    for path, content in [
        ("data/nlu/es.yml", "nlu: [1]\n"),
        ("config.yml", "pipeline: [1]\n"),
        ("domain.yml", "version: '3.1'\nintents: []\n"),
        ("bot/language/component.py", "x = 2\n"),
        ("data/nlu/qu.yml", "nlu: []\n"),
    ]:
        (root / path).write_text(content)
        seen.add(training.fingerprint(root))
    assert len(seen) == 6


def test_bytecode_caches_do_not_force_retraining(tmp_path):
    root = make_project(tmp_path)
    before = training.fingerprint(root)
    cache = root / "bot" / "language" / "__pycache__"
    cache.mkdir()
    (cache / "component.cpython-310.pyc").write_bytes(b"\0\1")
    assert training.fingerprint(root) == before
