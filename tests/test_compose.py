"""docs/docker-compose.yml publishes only the API, on the host's loopback unless told otherwise,
and names its Compose project (no Docker engine here: the file is read, as Compose reads it)."""

import re
from typing import Any

import yaml

from api.settings import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docs" / "docker-compose.yml"
# Compose's ${NAME:-default}: what the file means when NAME is unset.
DEFAULTED = re.compile(r"\$\{\w+:-([^}]*)\}")


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return document


def test_the_project_is_named() -> None:
    assert compose()["name"] == "eventgraph"


def test_only_the_api_is_published_and_on_loopback_by_default() -> None:
    services = compose()["services"]
    published = {name: service["ports"] for name, service in services.items() if "ports" in service}
    assert set(published) == {"api"}
    (mapping,) = published["api"]
    host_ip, host_port, container_port = DEFAULTED.sub(r"\1", mapping).rsplit(":", 2)
    assert (host_ip, host_port, container_port) == ("127.0.0.1", "8000", "8000")


def test_metrics_are_not_published() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
    (address,) = re.findall(r"EVENTGRAPH_METRICS=(\S+)", dockerfile)
    metrics_port = address.rpartition(":")[2]
    mappings = [
        mapping
        for service in compose()["services"].values()
        for mapping in service.get("ports", [])
    ]
    assert not [mapping for mapping in mappings if mapping.endswith(f":{metrics_port}")]
