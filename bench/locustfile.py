"""Load shapes for locust (headless): the quiz flow through the real API, and the baseline endpoints.

BENCH_MODE=quiz: each simulated manager signs in with their own API token, starts the monthly test, autosaves every
answer one by one, then submits — then the next manager from the pool takes over the connection.
BENCH_MODE=autosave: each user starts one attempt, then only autosaves (cycling through its questions and options)
for the whole run — the figure compared with the baseline INSERT.
BENCH_MODE=autosave_page: the same, the way the test page does it: its signed-in session cookie and CSRF token
(BENCH_TOKENS holds one JSON line per person, made by bench/run.py signing in through the server) instead of an API
token.
BENCH_MODE=baseline: BENCH_PATH (/hello, /select, /insert) again and again.
"""

from __future__ import annotations

import itertools
import json
import os
import threading

from locust import FastHttpUser, task
from locust.exception import StopUser

MODE = os.environ.get("BENCH_MODE", "quiz")
QUIZ = os.environ.get("BENCH_QUIZ", "bench-monthly")
_tokens = iter(open(os.environ["BENCH_TOKENS"]).read().splitlines()) if MODE != "baseline" else iter(())  # noqa: SIM115
_lock = threading.Lock()
_counter = itertools.count()


def next_token() -> str | None:
    with _lock:
        return next(_tokens, None)


class Manager(FastHttpUser):
    if MODE == "quiz":

        @task
        def take_the_test(self) -> None:
            token = next_token()
            if token is None:
                raise StopUser
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            with self.client.post(f"/api/v1/quizzes/{QUIZ}/attempts", headers=headers, name="start",
                                  catch_response=True) as response:
                if response.status_code not in (200, 201):
                    response.failure(f"start {response.status_code}")
                    return
                attempt = response.json()
            for question in attempt["questions"]:
                body = ({"choices": [question["options"][0]["id"]]} if question["options"] else {"text": "示例"})
                self.client.put(f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}", json=body,
                                headers=headers, name="autosave")
            self.client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers, name="submit")

    elif MODE in ("autosave", "autosave_page"):

        def on_start(self) -> None:
            line = next_token()
            if line is None:
                raise StopUser
            if MODE == "autosave":
                self.headers = {"Authorization": f"Bearer {line}", "Content-Type": "application/json"}
            else:
                page = json.loads(line)
                # The browser bench/run.py signed them in with (BENCH_USER_AGENT): a session remembers its browser.
                self.headers = {"Cookie": page["cookie"], "X-CSRFToken": page["csrf"],
                                "User-Agent": os.environ["BENCH_USER_AGENT"], "Content-Type": "application/json"}
            response = self.client.post(f"/api/v1/quizzes/{QUIZ}/attempts", headers=self.headers, name="start")
            self.attempt = response.json()
            self.turn = itertools.count()

        @task
        def autosave(self) -> None:
            n = next(self.turn)
            questions = self.attempt["questions"]
            question = questions[n % len(questions)]
            option = question["options"][(n // len(questions)) % len(question["options"])]
            self.client.put(f"/api/v1/attempts/{self.attempt['id']}/answers/{question['id']}",
                            json={"choices": [option["id"]]}, headers=self.headers, name="autosave")

    else:

        @task
        def hit(self) -> None:
            path = os.environ.get("BENCH_PATH", "/hello")
            if path == "/insert":
                self.client.put(path, name=path)
            else:
                self.client.get(path, name=path)
