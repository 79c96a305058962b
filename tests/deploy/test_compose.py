"""deploy/docker-compose.yml (deploy item 3): valid by the compose specification's schema, every service
waits for what it needs, secrets are required rather than defaulted, and the Praxis containers get only
settings Praxis knows, under their exact names."""

from __future__ import annotations

import base64
import json
import re
import string
from typing import Any

import pytest

from tests.deploy.conftest import DEPLOY, KNOWN_SETTINGS, load_yaml, run, tool

COMPOSE_FILE = DEPLOY / "docker-compose.yml"
COMPOSE_TEXT = COMPOSE_FILE.read_text(encoding="utf-8")
COMPOSE: dict[str, Any] = load_yaml(COMPOSE_FILE)
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
PRAXIS_SERVICES = ("praxis-migrate", "worker", "api")
ONE_SHOTS = ("temporal-schema", "temporal-setup", "minio-setup", "praxis-migrate")
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}
VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def _variables() -> list[tuple[str, str, str]]:
    body = "\n".join(line for line in COMPOSE_TEXT.splitlines() if not line.lstrip().startswith("#"))
    return [(match[1], match[2] or "", match[3] or "") for match in VARIABLE.finditer(body)]


def _made_env() -> dict[str, str]:
    done = run("sh", str(DEPLOY / "make-env.sh"))
    assert done.returncode == 0, done.stderr
    pairs = (line.split("=", 1) for line in done.stdout.splitlines() if line and not line.startswith("#"))
    return dict(pairs)


def test_compose_file_is_valid_by_the_compose_specification() -> None:
    """check-jsonschema with the compose-spec schema it ships (no network): keys, types, depends_on forms."""
    done = run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_would_catch_a_misspelled_key(tmp_path: Any) -> None:
    """The validator is not a rubber stamp: `depend_on` for `depends_on` fails it."""
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        COMPOSE_TEXT.replace("    depends_on: *praxis-dependencies", "    depend_on: *praxis-dependencies")
    )
    done = run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(broken))
    assert done.returncode != 0
    assert "depend_on" in done.stdout


def test_services_wait_for_healthy_or_finished_dependencies() -> None:
    """Every depends_on names a condition: `service_healthy` on a service with a health check (the Praxis
    image has its own HEALTHCHECK), `service_completed_successfully` on a one-shot job."""
    for name, service in SERVICES.items():
        for target, rule in service.get("depends_on", {}).items():
            assert target in SERVICES, f"{name} depends on unknown {target}"
            condition = rule["condition"]
            if condition == "service_healthy":
                assert "test" in SERVICES[target].get("healthcheck", {}), f"{name} waits for {target}'s health"
            else:
                assert condition == "service_completed_successfully", f"{name} -> {target}: {condition}"
                assert target in ONE_SHOTS


def test_long_running_services_restart_and_report_health_one_shots_do_not_loop() -> None:
    """Servers restart unless stopped and carry a health check; one-shot jobs retry a few times at most."""
    for name, service in SERVICES.items():
        if name in ONE_SHOTS:
            assert re.fullmatch(r"on-failure:\d", service["restart"]), name
        else:
            assert service["restart"] == "unless-stopped", name
            assert service["healthcheck"]["test"], name


def test_two_workers_and_one_api_from_the_one_image() -> None:
    """The worker runs 2 replicas; worker, API and migrate job share the image built from deploy/Dockerfile."""
    assert SERVICES["worker"]["deploy"]["replicas"] == 2
    assert SERVICES["worker"]["command"] == ["praxis", "worker"]
    assert SERVICES["worker"]["healthcheck"]["test"] == ["CMD", "praxis", "health", "worker"]
    assert SERVICES["api"]["command"][:2] == ["praxis", "api"]
    assert SERVICES["praxis-migrate"]["command"] == ["praxis", "migrate"]
    for name in PRAXIS_SERVICES:
        assert SERVICES[name]["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
        assert SERVICES[name]["env_file"] == [{"path": "praxis.env", "required": False}]


def test_praxis_containers_get_only_known_settings() -> None:
    """Each PRAXIS_* name passed to a Praxis container is a setting (config/settings.py, or one of the
    settings named for this deployment), in production mode, with S3 for blobs."""
    for name in PRAXIS_SERVICES:
        environment = SERVICES[name]["environment"]
        assert set(environment) <= KNOWN_SETTINGS, set(environment) - KNOWN_SETTINGS
        assert environment["PRAXIS_ENV"] == "production"
        assert environment["PRAXIS_BLOB_BACKEND"] == "s3"
        assert environment["PRAXIS_TEMPORAL_ADDRESS"] == "temporal:7233"


def test_settings_in_the_env_example_are_known() -> None:
    """deploy/praxis.env.example (set or commented out) names only real settings."""
    names = re.findall(r"^#?\s*(PRAXIS_\w+)=", (DEPLOY / "praxis.env.example").read_text(), re.MULTILINE)
    assert names
    assert set(names) <= KNOWN_SETTINGS, set(names) - KNOWN_SETTINGS


def test_every_variable_has_a_default_or_is_a_required_secret() -> None:
    """No `${VAR}` silently becomes empty: each has a default (`:-`) or stops compose with a message (`:?`)."""
    for name, operator, rest in _variables():
        assert operator in (":-", ":?"), f"${{{name}}} has neither a default nor a required message"
        if operator == ":?":
            assert rest, name


def test_required_secrets_are_exactly_what_make_env_writes() -> None:
    """`sh deploy/make-env.sh > deploy/.env` is the one step before `up`: it writes every required variable,
    each a distinct 256-bit secret, and a payload key in `kid:base64key` form."""
    required = {name for name, operator, _ in _variables() if operator == ":?"}
    made = _made_env()
    assert required <= set(made), required - set(made)
    secrets = [made[name] for name in required if name != "PRAXIS_PAYLOAD_KEYS"]
    assert len(set(secrets)) == len(secrets)
    for value in secrets:
        assert len(value) == 64 and set(value) <= set(string.hexdigits)
    kid, key = made["PRAXIS_PAYLOAD_KEYS"].split(":")
    assert re.fullmatch(r"k\d{8}", kid)
    assert len(base64.b64decode(key, validate=True)) == 32


def test_ui_decodes_payloads_through_the_praxis_codec_endpoint() -> None:
    """The Temporal UI's codec endpoint is the API's public URL + /codec, and the API lets the UI's origin in."""
    defaults = {name: rest for name, operator, rest in _variables() if operator == ":-"}
    ui = SERVICES["temporal-ui"]["environment"]
    assert ui["TEMPORAL_CODEC_ENDPOINT"] == "${PRAXIS_PUBLIC_URL:-http://localhost:8000}/codec"
    origins = SERVICES["api"]["environment"]["PRAXIS_CODEC_CORS_ORIGINS"]
    assert json.loads(VARIABLE.sub(lambda m: m[3], origins)) == [f"http://localhost:{defaults['TEMPORAL_UI_PORT']}"]


def test_retention_and_namespace_reach_setup_and_praxis_alike() -> None:
    """The setup job and the Praxis containers read the same namespace and retention variables (30 days)."""
    setup = SERVICES["temporal-setup"]["environment"]
    for name in PRAXIS_SERVICES:
        environment = SERVICES[name]["environment"]
        assert environment["PRAXIS_TEMPORAL_NAMESPACE"] == setup["PRAXIS_TEMPORAL_NAMESPACE"]
        assert environment["PRAXIS_TEMPORAL_RETENTION_DAYS"] == setup["PRAXIS_TEMPORAL_RETENTION_DAYS"]
    assert setup["PRAXIS_TEMPORAL_RETENTION_DAYS"] == "${PRAXIS_TEMPORAL_RETENTION_DAYS:-30}"


@pytest.mark.parametrize("script", sorted(path.relative_to(DEPLOY).as_posix() for path in DEPLOY.rglob("*.sh")))
def test_shell_scripts_pass_shellcheck(script: str) -> None:
    """The setup, schema, bucket, initdb and secrets scripts are POSIX sh that ShellCheck finds nothing in."""
    done = run(tool("shellcheck"), "--shell=sh", str(DEPLOY / script))
    assert done.returncode == 0, done.stdout
