"""The outage spool: a report survives an unreachable database and is written once later."""
from __future__ import annotations

import json
import os
import stat
import threading

import pytest
from sqlalchemy import func, select

from bot.cases import codes, lookup, spool, store
from bot.cli import main as cli_main
from bot.db.models import Case
from bot.db.session import session_scope
from bot.db.types import utcnow
from tests.cases_store.helpers import key, minor_report, question_report

DOWN_POSTGRES = "postgresql://postgres@127.0.0.1:1/willakuy_down"


@pytest.fixture(params=["postgres-refused", "sqlite-missing-dir"])
def down_url(request, tmp_path) -> str:
    if request.param == "postgres-refused":
        return DOWN_POSTGRES
    return f"sqlite:///{tmp_path / 'no-such-dir' / 'willakuy.db'}"


def _cases_with_key(k: str) -> int:
    with session_scope() as db:
        return db.execute(select(func.count(Case.id)).where(Case.idempotency_key == store.hash_key(k))).scalar()


def test_outage_spools_without_plain_text_and_drain_writes_one_case(database_url, down_url, tmp_path, unique):
    spool_dir = tmp_path / "spool"
    k = key()
    conversation = f"whatsapp:+5198765{unique}"
    received = utcnow()
    result = store.submit_report(minor_report(), conversation_id=conversation, channel="whatsapp", language="es",
                                 idempotency_key=k, contact_details="Rosa, 987650003", url=down_url,
                                 spool_directory=spool_dir, received_at=received)
    assert result.spooled and result.case_id is None and result.created
    assert codes.is_valid(result.case_code) and (result.category, result.priority) == ("denuncia", "P1")

    files = list(spool_dir.glob("*.json"))
    assert len(files) == 1
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    raw = files[0].read_text(encoding="utf-8")
    for secret in ("Rosa", "Mazuko y no", "987650003", unique, k):
        assert secret not in raw
    payload = json.loads(raw)
    assert payload["narrative"].startswith("enc1:") and payload["contact_details"].startswith("enc1:")
    assert payload["case_code"] == result.case_code
    assert not list(spool_dir.glob(".*.tmp"))           # no half-written leftovers

    # Still down: the drain keeps the file.
    kept = store.drain_spool(url=down_url, spool_directory=spool_dir)
    assert (kept.written, kept.remaining) == (0, 1)

    drained = store.drain_spool(url=database_url, spool_directory=spool_dir)
    assert (drained.written, drained.duplicates, drained.failed, drained.remaining) == (1, 0, 0, 0)
    assert not list(spool_dir.glob("*.json"))
    assert _cases_with_key(k) == 1
    with session_scope() as db:
        case_id = db.execute(select(Case.id).where(Case.code == result.case_code)).scalar_one()
    case = store.case_detail(case_id)
    assert case.report == minor_report() and case.narrative == minor_report().narrative
    assert case.contact_details == "Rosa, 987650003" and case.conversation_id == conversation
    assert case.created_at == received                   # the queue sees its real age
    assert case.events[0].details["spooled"] is True
    assert [e.action for e in case.events] == ["created", "classified"]

    again = store.drain_spool(url=database_url, spool_directory=spool_dir)
    assert (again.written, again.remaining) == (0, 0) and _cases_with_key(k) == 1


def test_pressing_twice_during_an_outage_keeps_one_file_and_one_code(tmp_path):
    spool_dir = tmp_path / "spool"
    k = key()
    first = store.submit_report(question_report(), conversation_id="c", channel="telegram", language="qu",
                                idempotency_key=k, url=DOWN_POSTGRES, spool_directory=spool_dir)
    second = store.submit_report(question_report(), conversation_id="c", channel="telegram", language="qu",
                                 idempotency_key=k, url=DOWN_POSTGRES, spool_directory=spool_dir)
    assert first.spooled and second.spooled and first.created and not second.created
    assert first.case_code == second.case_code
    assert len(list(spool_dir.glob("*.json"))) == 1


def test_a_spooled_duplicate_of_a_stored_case_keeps_the_promised_code_working(database_url, tmp_path, unique):
    spool_dir = tmp_path / "spool"
    k = key()
    stored = store.submit_report(question_report(), conversation_id=None, channel="telegram", language="qu",
                                 idempotency_key=k)
    spooled = store.submit_report(question_report(), conversation_id=None, channel="telegram", language="qu",
                                  idempotency_key=k, url=DOWN_POSTGRES, spool_directory=spool_dir)
    assert spooled.spooled and spooled.case_code != stored.case_code
    result = store.drain_spool(url=database_url, spool_directory=spool_dir)
    assert (result.written, result.duplicates, result.remaining) == (0, 1, 0)
    assert _cases_with_key(k) == 1
    case = store.case_detail(stored.case_id)
    assert case.alt_code == spooled.case_code
    assert case.events[-1].action == "code_alias_added"
    answer = lookup.case_status_for_code(spooled.case_code, f"sender-{unique}")
    assert (answer.kind, answer.status) == ("found", "recibido")


def test_an_unreadable_file_is_set_aside_and_the_others_drain(database_url, tmp_path):
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    (spool_dir / "broken.json").write_text("{not json")
    k = key()
    store.submit_report(question_report(), conversation_id=None, channel="telegram", language="qu",
                        idempotency_key=k, url=DOWN_POSTGRES, spool_directory=spool_dir)
    result = store.drain_spool(url=database_url, spool_directory=spool_dir)
    assert (result.written, result.failed, result.remaining) == (1, 1, 0)
    assert (spool_dir / "failed" / "broken.json").exists()
    assert _cases_with_key(k) == 1


def test_no_database_and_no_spool_is_an_error_not_a_receipt(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(store.SubmitFailed):
        store.submit_report(question_report(), conversation_id=None, channel="telegram", language="qu",
                            idempotency_key=key(), url=DOWN_POSTGRES, spool_directory=blocker / "spool")


def test_without_the_spool_an_outage_raises(tmp_path):
    with pytest.raises(store.OUTAGE_ERRORS):
        store.submit_report(question_report(), conversation_id=None, channel="telegram", language="qu",
                            idempotency_key=key(), url=DOWN_POSTGRES, spool_directory=tmp_path, use_spool=False)
    assert not list(tmp_path.glob("*.json"))


def test_two_drainers_at_once_write_each_report_once(database_url, tmp_path):
    spool_dir = tmp_path / "spool"
    keys = [key() for _ in range(6)]
    for k in keys:
        store.submit_report(question_report(), conversation_id=None, channel="telegram", language="qu",
                            idempotency_key=k, url=DOWN_POSTGRES, spool_directory=spool_dir)
    barrier = threading.Barrier(2)
    results = []

    def drain():
        barrier.wait(timeout=10)
        results.append(store.drain_spool(url=database_url, spool_directory=spool_dir))

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.written for r in results) == 6
    assert all(_cases_with_key(k) == 1 for k in keys)
    assert not list(spool_dir.glob("*.json"))


def test_cli_drain_spool(database_url, tmp_path, capsys):
    spool_dir = tmp_path / "spool"
    k = key()
    store.submit_report(question_report(), conversation_id=None, channel="telegram", language="qu",
                        idempotency_key=k, url=DOWN_POSTGRES, spool_directory=spool_dir)
    assert store.spooled_count(spool_dir) == 1
    assert cli_main(["cases", "drain-spool", "--spool-dir", str(spool_dir)]) == 0
    assert "escritos: 1" in capsys.readouterr().out
    assert store.spooled_count(spool_dir) == 0 and _cases_with_key(k) == 1


def test_spool_write_is_atomic_and_never_overwrites(tmp_path):
    first, created = spool.write(tmp_path, "abc", {"case_code": "K7M4-9QXT"})
    again, created_again = spool.write(tmp_path, "abc", {"case_code": "OTHER"})
    assert created and not created_again
    assert first["case_code"] == again["case_code"] == "K7M4-9QXT"
    assert [p.name for p in tmp_path.iterdir()] == ["abc.json"]
