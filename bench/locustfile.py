"""Staff at work: roster list, search, an entity's file, and the API (bench/bench_load.py);
beside them, anonymous visitors of the public portal.

Each simulated staff user is a signed-in district administrator of 黄浦区 mixing page views and
API calls; one user in four is a portal visitor looking entities up by credit code and by name
(pages and /api/public). Environment: JIANGUAN_LOAD_SESSIONS (session keys), JIANGUAN_LOAD_TOKEN,
JIANGUAN_LOAD_ENTITIES (comma-separated ids within the user's district), JIANGUAN_LOAD_WORDS,
JIANGUAN_LOAD_USCCS (comma-separated credit codes for the portal).
"""

import itertools
import os
import random

from locust import HttpUser, between, task

ENTITIES = [int(x) for x in os.environ.get("JIANGUAN_LOAD_ENTITIES", "1").split(",")]
WORDS = os.environ.get("JIANGUAN_LOAD_WORDS", "餐饮,贸易,科技").split(",")
SESSIONS = itertools.cycle(os.environ["JIANGUAN_LOAD_SESSIONS"].split(","))
USCCS = os.environ.get("JIANGUAN_LOAD_USCCS", "91310101MA1FPX1234").split(",")


class Staff(HttpUser):
    weight = 3
    wait_time = between(0.5, 2.0)

    def on_start(self):
        # signed in already: one of the sessions bench_load.py made for this run
        self.client.cookies.set("sessionid", next(SESSIONS))
        self.api = {"Authorization": f"Bearer {os.environ['JIANGUAN_LOAD_TOKEN']}"}

    @task(4)
    def entity_list(self):
        self.client.get("/registry/entities/", name="staff: entity list")

    @task(3)
    def entity_search(self):
        word = random.choice(WORDS)  # noqa: S311 - load mix, not security
        self.client.get(f"/registry/entities/?q={word}", name="staff: entity search")

    @task(3)
    def entity_detail(self):
        pk = random.choice(ENTITIES)  # noqa: S311
        self.client.get(f"/registry/entities/{pk}/", name="staff: entity detail")

    @task(2)
    def api_list(self):
        self.client.get("/api/entities?limit=50", headers=self.api, name="api: entity list")

    @task(2)
    def api_detail(self):
        pk = random.choice(ENTITIES)  # noqa: S311
        self.client.get(f"/api/entities/{pk}", headers=self.api, name="api: entity detail")


class PortalVisitor(HttpUser):
    """Anonymous: the public portal, no login, no token (the server runs with the portal's rate
    limit off: every simulated visitor shares one address)."""

    weight = 1
    wait_time = between(0.5, 2.0)

    @task(4)
    def entity_page(self):
        code = random.choice(USCCS)  # noqa: S311
        self.client.get(f"/public/entities/{code}/", name="portal: entity by uscc")

    @task(4)
    def name_search(self):
        word = random.choice(WORDS)  # noqa: S311
        self.client.get(f"/public/?q={word}", name="portal: name search")

    @task(1)
    def api_entity(self):
        code = random.choice(USCCS)  # noqa: S311
        self.client.get(f"/api/public/entities/{code}", name="portal api: entity by uscc")

    @task(1)
    def api_search(self):
        word = random.choice(WORDS)  # noqa: S311
        self.client.get(f"/api/public/entities?q={word}", name="portal api: name search")
