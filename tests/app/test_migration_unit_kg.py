"""The contract migration renames product.kg_per_unit to unit_kg and adds the vehicle's fixed cost,
keeping the rows already stored (issue 12)."""
from __future__ import annotations

import sqlalchemy as sa

from app import migrate

BEFORE = "bd12f07d6914"  # the revision just before the contract migration


def test_upgrade_keeps_kilograms_per_unit_and_gives_vehicles_the_default_fixed_cost(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate.upgrade(url, BEFORE)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO territory (id, name, timezone, road_factor, speed_kmh, targets, schedule) "
                             "VALUES ('t', 'T', 'Europe/Paris', 1.3, 40, '{}', '{}')"))
        conn.execute(sa.text("INSERT INTO product (id, name, unit, crate_kg, cold, kg_per_unit, vat_rate) "
                             "VALUES ('oeuf', 'Œuf', 'piece', 4.5, 1, 0.06, 5.5)"))
        conn.execute(sa.text(
            "INSERT INTO vehicle (id, territory_id, name, capacity_kg, capacity_crates, cold, shift_start, shift_end, "
            "cost_per_km, cost_per_hour, weekdays) VALUES ('van', 't', 'Van', 800, 60, 1, '06:30', '13:00', 0.35, 25, '[]')"))
    migrate.upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT unit_kg FROM product WHERE id = 'oeuf'")).scalar_one() == 0.06
        assert conn.execute(sa.text("SELECT fixed_cost_eur FROM vehicle WHERE id = 'van'")).scalar_one() == 50.0
    migrate.downgrade(url, BEFORE)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT kg_per_unit FROM product WHERE id = 'oeuf'")).scalar_one() == 0.06
    engine.dispose()


def test_migrations_rebuild_tables_that_other_rows_point_to_and_keep_them(tmp_path):
    """SQLite rebuilds a table to alter it: a territory with sites, a product with offers survive."""
    from app.db import unit_of_work  # noqa: F401  (the app's engine settings: foreign keys on)
    from orders.demo import build_demo_scenario

    url = f"sqlite:///{tmp_path / 'full.db'}"
    migrate.upgrade(url)
    from app import create_app
    from app.services.scenario import import_scenario

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "TERRIL_QUEUE_IMMEDIATE": True})
    with app.app_context():
        with unit_of_work() as session:
            import_scenario(session, build_demo_scenario("2026-W49"))
    migrate.downgrade(url, BEFORE)
    migrate.upgrade(url)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM site")).scalar_one() > 10
        assert conn.execute(sa.text("SELECT count(*) FROM offer")).scalar_one() > 10
        assert conn.execute(sa.text("PRAGMA foreign_key_check")).fetchall() == []
    engine.dispose()
