"""`flask scenario run` validates its file and names the JSON path of each error; `scenario export`
writes a file the same types read back."""
from __future__ import annotations

import json

from orders.demo import build_demo_scenario
from orders.scenario import Scenario
from tests.app.world import WEEK, build_world


def test_scenario_run_refuses_a_bad_file_naming_each_json_path(runner, tmp_path):
    data = build_demo_scenario(WEEK)
    data["offers"][0]["quantity"] = "beaucoup"
    data["canteens"][1]["kind"] = "lycee"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(args=["scenario", "run", str(path)])
    assert result.exit_code != 0
    assert "$.offers[0].quantity" in result.output and "$.canteens[1].kind" in result.output
    assert "Scénario invalide" in result.output


def test_scenario_export_reads_back_with_unit_kg(app, runner):
    build_world(app, state="closed")
    result = runner.invoke(args=["scenario", "export", "--week", WEEK])
    assert result.exit_code == 0, result.output
    scenario = Scenario.from_dict(json.loads(result.output))
    assert scenario.week == WEEK and all("unit_kg" in p for p in json.loads(result.output)["products"])
    assert {v.fixed_cost for v in scenario.vehicles} == {50.0}
