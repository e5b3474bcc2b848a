"""Fixtures of the job tests: a lane (database + queue + documents) per queue storage."""
from __future__ import annotations

import pytest

from tests.jobs.lanes import REDIS_URL, make_lane

LANES = ["sqlite", pytest.param("redis", marks=pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set"))]


@pytest.fixture(params=LANES)
def lane(request, db_url, tmp_path):
    lane = make_lane(request.param, db_url, tmp_path)
    yield lane
    lane.stop_all()
    if request.param == "redis":
        from huey import RedisHuey

        RedisHuey(lane.config["TERRIL_QUEUE_NAME"], url=REDIS_URL).flush()
