"""Builders of small worlds for the app tests: the demo territory, users of each role, API calls."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.auth import create_user
from app.db import unit_of_work
from app.services.scenario import import_scenario
from orders.demo import build_demo_scenario

WEEK = "2026-W49"


@dataclass
class World:
    client: object
    tokens: dict[str, str] = field(default_factory=dict)
    scenario: dict = field(default_factory=dict)

    def call(self, method: str, url: str, who: str | None = "coordinator", **kwargs):
        headers = kwargs.pop("headers", {})
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url, who="coordinator", **kw):
        return self.call("GET", url, who, **kw)

    def post(self, url, json=None, who="coordinator", **kw):
        return self.call("POST", url, who, json=json, **kw)

    def patch(self, url, json=None, who="coordinator", **kw):
        return self.call("PATCH", url, who, json=json, **kw)

    def delete(self, url, who="coordinator", **kw):
        return self.call("DELETE", url, who, **kw)


def build_world(app, state: str = "offers_open") -> World:
    """The demo territory with its week in `state`, and one user per role (and a second producer)."""
    scenario = build_demo_scenario(WEEK)
    world = World(client=app.test_client(), scenario=scenario)
    with app.app_context():
        with unit_of_work() as session:
            import_scenario(session, scenario, state=state)
            users = {
                "coordinator": ("Claire Coordination", "coordinator", None),
                "producer": ("Paul Producteur", "producer", scenario["producers"][0]["id"]),
                "producer2": ("Pauline Productrice", "producer", scenario["producers"][1]["id"]),
                "relay": ("Rachid Relais", "relay", scenario["relay_points"][0]["id"]),
                "relay2": ("Rose Relais", "relay", scenario["relay_points"][1]["id"]),
                "canteen": ("Carole Cantine", "canteen", scenario["canteens"][0]["id"]),
                "canteen2": ("Cédric Cantine", "canteen", scenario["canteens"][1]["id"]),
                "driver": ("Karim Benali", "driver", None),
            }
            for key, (name, role, site) in users.items():
                _, token = create_user(session, name, role, site)
                world.tokens[key] = token
    return world
