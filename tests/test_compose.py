"""docker-compose.yml is valid, and tools/validate_compose.py finds what is wrong in a broken one.

No Docker engine and no database are needed: the validator checks the file offline against the
vendored Compose Specification schema.
"""

import copy
import importlib.util
import os
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA = REPO_ROOT / "tools" / "compose-spec.json"
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"


def _load_validator():
    path = REPO_ROOT / "tools" / "validate_compose.py"
    spec = importlib.util.spec_from_file_location("validate_compose", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


validate_compose = _load_validator()


@pytest.fixture(scope="module")
def schema():
    return validate_compose.load_schema(SCHEMA)


@pytest.fixture
def production():
    """A private copy of the parsed docker-compose.yml, safe to break."""
    return copy.deepcopy(validate_compose.load_compose(COMPOSE_FILE))


def _write(tmp_path, data):
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# --- (a) the repository's compose file ----------------------------------------------------


def test_repository_compose_file_has_no_errors():
    assert validate_compose.validate_file(SCHEMA, COMPOSE_FILE) == []


def test_command_line_prints_ok_and_exits_0_for_the_repository_compose_file(capsys):
    status = validate_compose.main([str(SCHEMA), str(COMPOSE_FILE)])

    assert status == 0
    assert capsys.readouterr().out == f"{COMPOSE_FILE}: OK\n"


# --- (b) a broken copy ----------------------------------------------------------------------


def test_broken_copy_reports_the_typo_the_unknown_dependency_and_the_string_ports(
    production, tmp_path, capsys
):
    web, worker = production["services"]["web"], production["services"]["worker"]
    web["enviroment"] = web.pop("environment")
    # A new mapping: depends_on is shared between web, worker and beat through the YAML anchor.
    worker["depends_on"] = {**worker["depends_on"], "rabbitmq": {"condition": "service_started"}}
    web["ports"] = "8000:8000"
    broken = _write(tmp_path, production)

    status = validate_compose.main([str(SCHEMA), str(broken)])

    lines = capsys.readouterr().out.splitlines()
    assert status == 1
    assert lines == [
        f"{broken}: services.web: unknown key 'enviroment' (did you mean 'environment'?)",
        f"{broken}: services.web.ports: '8000:8000' is not of type 'array'",
        f"{broken}: services.worker.depends_on: service 'rabbitmq' is not defined under services",
        f"{broken}: 3 error(s)",
    ]


def test_service_using_an_undeclared_named_volume_is_reported(schema, production):
    production["services"]["redis"]["volumes"] = ["redis-data:/data"]

    assert validate_compose.validate(schema, production) == [
        "services.redis.volumes[0]: volume 'redis-data' is not declared under top-level volumes"
    ]


def test_bind_mounts_and_anonymous_volumes_need_no_declaration(schema, production):
    production["services"]["redis"]["volumes"] = ["./redis:/data", "/srv/tls:/tls:ro", "/tmp"]

    assert validate_compose.validate(schema, production) == []


def test_depends_on_cycle_is_reported(schema, production):
    production["services"]["postgres"]["depends_on"] = ["web"]

    assert validate_compose.validate(schema, production) == [
        "services: depends_on has a cycle: postgres -> web -> postgres"
    ]


def test_duplicate_key_is_reported_as_invalid_yaml(tmp_path):
    path = tmp_path / "docker-compose.yml"
    path.write_text("services:\n  web:\n    image: a\n    image: b\n", encoding="utf-8")

    [error] = validate_compose.validate_file(SCHEMA, path)

    assert error.startswith("invalid YAML")
    assert "found duplicate key 'image'" in error


@pytest.mark.parametrize(
    ("break_it", "location"),
    [
        (lambda data: data.update(name="abh"), "name"),
        (lambda data: data["services"]["web"].update(develop={}), "services.web.develop"),
        (
            lambda data: data["services"]["web"].update(
                depends_on={"postgres": {"condition": "service_healthy", "required": True}}
            ),
            "services.web.depends_on.postgres.required",
        ),
        (
            lambda data: data["services"]["redis"]["healthcheck"].update(start_interval="2s"),
            "services.redis.healthcheck.start_interval",
        ),
    ],
    ids=["top-level name", "develop", "depends_on required", "healthcheck start_interval"],
)
def test_keys_that_docker_compose_v1_rejects_are_reported(schema, production, break_it, location):
    break_it(production)

    [error] = validate_compose.validate(schema, production)

    assert error.startswith(f"{location}: not supported by docker-compose v1")


# --- (c) what the production stack consists of ---------------------------------------------


def test_production_stack_defines_postgres_redis_migrate_web_worker_beat_and_the_proxy(production):
    assert set(production["services"]) == {
        "postgres",
        "redis",
        "migrate",
        "web",
        "worker",
        "beat",
        "backup",
        "proxy",
    }


def test_only_the_proxy_is_published_and_web_is_reached_through_it(production):
    services = production["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert {"80:80", "443:443"} <= set(services["proxy"]["ports"])
    assert services["proxy"]["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_the_proxy_configuration_is_mounted_and_forwards_the_client_address(production):
    mounts = production["services"]["proxy"]["volumes"]
    source = next(m.split(":")[0] for m in mounts if m.endswith(":/etc/caddy/Caddyfile:ro"))
    caddyfile = (REPO_ROOT / source).read_text(encoding="utf-8")
    assert "reverse_proxy web:8000" in caddyfile
    assert "header_up X-Forwarded-For {remote_host}" in caddyfile
    assert "header_up X-Forwarded-Proto {scheme}" in caddyfile


def test_the_app_trusts_exactly_the_compose_network(production):
    [subnet] = production["networks"]["default"]["ipam"]["config"]
    environment = production["services"]["web"]["environment"]
    assert environment["TRUSTED_PROXIES"] == subnet["subnet"] == "${APP_SUBNET:-172.28.0.0/16}"


def test_web_postgres_and_redis_have_healthchecks(production):
    # One test, not parametrized: conftest.py skips items whose keywords say postgres or redis.
    services = production["services"]
    tests = {name: services[name].get("healthcheck", {}).get("test") for name in services}

    assert all(tests[name] for name in ("web", "postgres", "redis")), tests


def test_web_waits_for_healthy_postgres_and_redis_and_a_completed_migrate(production):
    assert production["services"]["web"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }


def test_migrate_runs_once_before_web_worker_and_beat_and_nothing_else_migrates(production):
    services = production["services"]
    migrate = services["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    # One-shot: a restart policy would run it again after it exited 0.
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    # Scaled web instances must not each migrate on start.
    others = [s.get("command") for n, s in services.items() if n != "migrate"]
    assert not any("migrate" in str(command) for command in others)


def test_backup_runs_only_on_demand_with_the_repository_script_and_the_server_major(production):
    backup = production["services"]["backup"]
    # A profile keeps `up` from starting it; `docker-compose run --rm backup` does.
    assert backup["profiles"] == ["backup"]
    script = REPO_ROOT / backup["entrypoint"][0].replace("/deploy/", "deploy/", 1)
    assert script.is_file() and os.access(script, os.X_OK)
    assert "./deploy:/deploy:ro" in backup["volumes"]
    assert backup["image"] == production["services"]["postgres"]["image"]
    environment = backup["environment"]
    assert (
        environment["PGPASSWORD"]
        == production["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    )
    assert (
        environment["PGDATABASE"]
        == production["services"]["postgres"]["environment"]["POSTGRES_DB"]
    )
    assert "ports" not in backup and "command" not in backup


def test_worker_publishes_no_port_so_it_can_be_scaled(production):
    worker = production["services"]["worker"]
    assert "ports" not in worker
    assert "container_name" not in worker


def test_migrate_web_worker_and_beat_run_one_image_with_one_environment(production):
    services = production["services"]
    apps = [services[name] for name in ("migrate", "web", "worker", "beat")]

    assert {app["image"] for app in apps} == {"wiesbaden-abh:latest"}
    assert all(app["environment"] == apps[0]["environment"] for app in apps)
    assert apps[0]["environment"]["DEBUG"] == "off"
