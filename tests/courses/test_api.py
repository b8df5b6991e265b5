"""The lessons API a phone front end uses: catalogue, lesson HTML, studied marks."""

from __future__ import annotations

from tests.support.packs import published_pack
from tests.support.web import api_headers


def test_catalogue_lesson_and_studied_through_the_api(client, sign_in, write_lesson, sync):
    write_lesson("a.md", title="11月终端政策", period="2026-11", body="## 补贴\n\n<script>x</script>**500元**")
    sync()
    published_pack("2026-11", ["a"])
    sign_in("manager")
    index = client.get("/api/v1/lessons").json
    assert index["pack"] == {"period": "2026-11", "studied": 0, "total": 1, "lessons": ["a"]}
    assert index["lessons"][0]["title"] == "11月终端政策"
    detail = client.get("/api/v1/lessons/a").json
    assert "<strong>500元</strong>" in detail["html"]
    assert "<script" not in detail["html"]
    assert detail["studied_at"] is None
    marked = client.put("/api/v1/lessons/a/studied", headers=api_headers(client))
    assert marked.status_code == 200
    assert marked.json["studied_at"]
    assert client.get("/api/v1/lessons").json["pack"]["studied"] == 1
    assert client.delete("/api/v1/lessons/a/studied", headers=api_headers(client)).json["studied_at"] is None


def test_api_errors_are_json(client, sign_in):
    assert client.get("/api/v1/lessons").status_code == 401
    sign_in("manager")
    missing = client.get("/api/v1/lessons/none")
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found"
    assert client.put("/api/v1/lessons/a/studied").status_code == 400  # no CSRF header on a cookie session


def test_the_routes_are_documented(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"/lessons", "/lessons/{slug}", "/lessons/{slug}/studied"} <= set(paths)
