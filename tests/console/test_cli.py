"""`willakuy console token ...` and `willakuy console seed-directory`."""
from bot.cli import main


def test_token_create_list_and_revoke(people, capsys, app):
    from fastapi.testclient import TestClient

    assert main(["console", "token", "create", people["supervisor"].username, "--label", "informes"]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert token.startswith("wkc_") and token not in err and "rol supervisor" in err
    with TestClient(app, base_url="https://testserver") as c:
        assert c.get("/api/v1/stats", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert main(["console", "token", "list", people["supervisor"].username]) == 0
    listed = capsys.readouterr().out
    assert "activo\tinformes" in listed and token not in listed
    token_id = int(listed.split("\t")[0].lstrip("#"))
    assert main(["console", "token", "revoke", str(token_id)]) == 0
    assert main(["console", "token", "revoke", str(token_id)]) == 1
    with TestClient(app, base_url="https://testserver") as c:
        assert c.get("/api/v1/stats", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_token_for_an_unknown_user_fails_clearly(database_url, capsys):
    assert main(["console", "token", "create", "nadie-existe"]) == 2
    assert "no hay un usuario activo" in capsys.readouterr().err


def test_seed_directory_is_idempotent(database_url, capsys, app):
    assert main(["console", "seed-directory"]) == 0
    assert "Entradas agregadas: 0" in capsys.readouterr().out
