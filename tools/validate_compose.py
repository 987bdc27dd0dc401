"""Validate a docker-compose file without a Docker engine.

Why this exists: the development machines and CI of this project have no Docker engine, so
`docker compose config` is not available to catch a broken docker-compose.yml before it is
deployed. This script checks the file offline:

1. against the Compose Specification JSON schema vendored as tools/compose-spec.json
   (Draft 7, see tools/COMPOSE-SPEC-LICENSE.txt for its origin), which catches misspelt keys
   and wrong types;
2. for the cross references that a schema cannot express: services named by depends_on,
   links, extends, volumes_from and network_mode exist, dependencies have no cycle, and the
   named volumes, networks, secrets and configs that services use are declared at top level;
3. for keys that are newer than Debian's docker-compose v1 (1.29) understands, such as a
   top-level `name`, `develop`, `depends_on.<service>.required` or
   `healthcheck.start_interval`: the project keeps its compose file usable with compose v1
   as well as v2, and v1 refuses the whole file when it meets one of them.

Like compose, it resolves YAML anchors and merge keys (`<<: *anchor`) and rejects duplicate
keys. It does not interpolate `${VARIABLES}`; references that contain one are not checked.

Usage: python tools/validate_compose.py tools/compose-spec.json docker-compose.yml
Prints "<file>: OK", or one line per error and exits with status 1.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

# Keys of the current Compose Specification that docker-compose v1 (1.29) rejects, by where they
# appear. Taken from the difference between the schema bundled with Debian's docker-compose
# 1.29.2 and the vendored one. The brief's four (top-level name, develop, depends_on.*.required,
# healthcheck.start_interval) are the ones compose v2 users most often add by habit.
V1_UNSUPPORTED_TOP_LEVEL = {"name", "include", "models"}
V1_UNSUPPORTED_SERVICE = {
    "annotations", "attach", "cgroup", "develop", "gpus", "label_file", "models", "post_start",
    "pre_stop", "provider", "pull_refresh_after", "use_api_socket", "uts",
}  # fmt: skip
V1_UNSUPPORTED_BUILD = {
    "additional_contexts", "dockerfile_inline", "entitlements", "no_cache", "platforms",
    "privileged", "pull", "secrets", "ssh", "tags", "ulimits",
}  # fmt: skip
V1_UNSUPPORTED_DEPENDS_ON = {"required", "restart"}
V1_UNSUPPORTED_HEALTHCHECK = {"start_interval"}
# What to write instead, where there is something.
V1_HINTS = {
    "name": "set the project name with `docker-compose -p NAME` or COMPOSE_PROJECT_NAME",
    "include": "combine files with `-f FILE -f FILE` instead",
    "develop": "`compose watch` needs compose v2.22 or later",
    "gpus": "use deploy.resources.reservations.devices",
    "required": "v1 treats every dependency as required",
    "start_interval": "use interval and start_period",
}


class ComposeLoadError(Exception):
    """The file is not YAML that compose would accept."""


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that rejects duplicate mapping keys, as compose v2 does."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # keys that come in through `<<:` may be overridden
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key; the base class reports it
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def load_compose(path: str | Path) -> Any:
    """Parse a compose file with anchors and merge keys resolved."""
    try:
        with open(path, encoding="utf-8") as stream:
            return yaml.load(stream, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except OSError as exc:
        raise ComposeLoadError(f"cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ComposeLoadError(f"invalid YAML: {exc}") from exc


def load_schema(path: str | Path) -> dict:
    """Read the vendored Compose Specification schema and check that it is a Draft 7 schema."""
    schema = json.loads(Path(path).read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return schema


def _location(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _unknown_keys(error: ValidationError) -> list[str]:
    """The keys that an additionalProperties error is about."""
    schema, instance = error.schema, error.instance
    if not isinstance(schema, dict) or not isinstance(instance, dict):
        return []
    known = schema.get("properties", {})
    patterns = [re.compile(pattern) for pattern in schema.get("patternProperties", {})]
    return [
        str(key)
        for key in instance
        if key not in known and not any(pattern.search(str(key)) for pattern in patterns)
    ]


def _describe(error: ValidationError) -> str:
    message = f"{_location(error.absolute_path)}: {error.message}"
    unknown = _unknown_keys(error) if error.validator == "additionalProperties" else []
    if unknown:
        # jsonschema says "'enviroment' does not match any of the regexes: '^x-'".
        known = list(error.schema.get("properties", {}))
        parts = []
        for key in unknown:
            close = difflib.get_close_matches(key, known, n=1)
            parts.append(f"{key!r} (did you mean {close[0]!r}?)" if close else repr(key))
        return f"{_location(error.absolute_path)}: unknown key " + ", ".join(parts)
    if error.validator in ("oneOf", "anyOf") and error.context:
        # "... is not valid under any of the given schemas" does not say what is wrong. Report
        # what failed inside the alternatives whose type fits, else the types that would fit.
        deeper = [e for e in error.context if e.relative_path or e.validator != "type"]
        if deeper:
            return "; ".join(dict.fromkeys(_describe(e) for e in _in_order(deeper)))
        expected = []
        for alternative in error.context:
            types = alternative.schema.get("type") if isinstance(alternative.schema, dict) else None
            expected += types if isinstance(types, list) else [types] if types else []
        return (
            f"{_location(error.absolute_path)}: {type(error.instance).__name__} value "
            f"{error.instance!r} is not allowed here, expected "
            + " or ".join(dict.fromkeys(expected))
        )
    return message


def _in_order(errors: Iterable[ValidationError]) -> list[ValidationError]:
    return sorted(errors, key=lambda error: [str(part) for part in error.absolute_path])


def schema_errors(schema: dict, data: Any) -> list[str]:
    """Every violation of the Compose Specification schema, sorted by location."""
    return [_describe(error) for error in _in_order(Draft7Validator(schema).iter_errors(data))]


def _is_interpolated(value: Any) -> bool:
    return isinstance(value, str) and "$" in value


def _names(value: Any) -> list[str]:
    """The names of a list-of-strings or mapping form (depends_on, networks, ...)."""
    if isinstance(value, dict):
        return [str(name) for name in value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _short_volume_source(spec: str) -> str | None:
    """The named volume of a short volume spec `SOURCE:TARGET[:MODE]`, or None for a path."""
    parts = spec.split(":")
    if len(parts) < 2:
        return None  # an anonymous volume: only a container path
    source = parts[0]
    if len(source) == 1 and source.isalpha() and len(parts) > 2:
        return None  # a Windows drive letter, C:\\data:/data
    if not source or source.startswith((".", "/", "~", "\\")):
        return None  # a bind mount of a host path
    return source


def _dependency_cycle(depends: dict[str, list[str]]) -> list[str] | None:
    """A cycle in the depends_on graph as a list of service names, or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = "active"
        stack.append(name)
        for dependency in depends.get(name, []):
            if state.get(dependency) == "active":
                return [*stack[stack.index(dependency) :], dependency]
            if dependency in depends and dependency not in state:
                found = visit(dependency)
                if found:
                    return found
        stack.pop()
        state[name] = "done"
        return None

    for service in depends:
        if service not in state:
            found = visit(service)
            if found:
                return found
    return None


def reference_errors(data: Any) -> list[str]:
    """References between services and to top-level resources that point at nothing."""
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
        return []
    services: dict[str, Any] = data["services"]
    declared = {
        kind: set(data[kind]) if isinstance(data.get(kind), dict) else set()
        for kind in ("volumes", "networks", "secrets", "configs")
    }
    errors: list[str] = []
    depends: dict[str, list[str]] = {}

    def need_service(where: str, name: str) -> None:
        if not _is_interpolated(name) and name not in services:
            errors.append(f"{where}: service {name!r} is not defined under services")

    def need_declared(where: str, kind: str, name: str) -> None:
        if not _is_interpolated(name) and name not in declared[kind]:
            errors.append(f"{where}: {kind[:-1]} {name!r} is not declared under top-level {kind}")

    for service_name, service in services.items():
        if not isinstance(service, dict):
            continue
        here = f"services.{service_name}"

        depends[service_name] = _names(service.get("depends_on"))
        for name in depends[service_name]:
            need_service(f"{here}.depends_on", name)

        for link in service.get("links") or []:
            if isinstance(link, str):
                need_service(f"{here}.links", link.split(":")[0])

        extends = service.get("extends")
        if isinstance(extends, str):
            need_service(f"{here}.extends", extends)
        elif isinstance(extends, dict) and "file" not in extends and "service" in extends:
            need_service(f"{here}.extends", str(extends["service"]))

        for source in service.get("volumes_from") or []:
            if isinstance(source, str) and not source.startswith("container:"):
                parts = source.split(":")
                name = parts[1] if parts[0] == "service" and len(parts) > 1 else parts[0]
                need_service(f"{here}.volumes_from", name)

        network_mode = service.get("network_mode")
        if isinstance(network_mode, str) and network_mode.startswith("service:"):
            need_service(f"{here}.network_mode", network_mode.split(":", 1)[1])

        for name in _names(service.get("networks")):
            if name != "default":
                need_declared(f"{here}.networks", "networks", name)

        for index, volume in enumerate(service.get("volumes") or []):
            where = f"{here}.volumes[{index}]"
            if isinstance(volume, str):
                source = _short_volume_source(volume)
                if source is not None:
                    need_declared(where, "volumes", source)
            elif isinstance(volume, dict) and volume.get("type") == "volume":
                source = volume.get("source")
                if isinstance(source, str) and source:
                    need_declared(where, "volumes", source)

        for kind in ("secrets", "configs"):
            for index, entry in enumerate(service.get(kind) or []):
                name = entry.get("source") if isinstance(entry, dict) else entry
                if isinstance(name, str):
                    need_declared(f"{here}.{kind}[{index}]", kind, name)

        build = service.get("build")
        if isinstance(build, dict):
            for index, entry in enumerate(build.get("secrets") or []):
                name = entry.get("source") if isinstance(entry, dict) else entry
                if isinstance(name, str):
                    need_declared(f"{here}.build.secrets[{index}]", "secrets", name)

    cycle = _dependency_cycle(depends)
    if cycle:
        errors.append("services: depends_on has a cycle: " + " -> ".join(cycle))
    return errors


def compose_v1_errors(data: Any) -> list[str]:
    """Keys that docker-compose v1 (1.29) rejects, although the current specification has them."""
    if not isinstance(data, dict):
        return []
    errors: list[str] = []

    def reject(where: str, keys: Iterable[str]) -> None:
        for key in sorted(keys):
            hint = V1_HINTS.get(key)
            location = f"{where}.{key}" if where else key
            errors.append(
                f"{location}: not supported by docker-compose v1, and this project keeps the "
                "compose file compatible with v1" + (f"; {hint}" if hint else "")
            )

    reject("", V1_UNSUPPORTED_TOP_LEVEL & set(data))
    services = data.get("services")
    if not isinstance(services, dict):
        return errors
    for service_name, service in services.items():
        if not isinstance(service, dict):
            continue
        here = f"services.{service_name}"
        reject(here, V1_UNSUPPORTED_SERVICE & set(service))
        build = service.get("build")
        if isinstance(build, dict):
            reject(f"{here}.build", V1_UNSUPPORTED_BUILD & set(build))
        depends_on = service.get("depends_on")
        if isinstance(depends_on, dict):
            for dependency, options in depends_on.items():
                if isinstance(options, dict):
                    where = f"{here}.depends_on.{dependency}"
                    reject(where, V1_UNSUPPORTED_DEPENDS_ON & set(options))
        healthcheck = service.get("healthcheck")
        if isinstance(healthcheck, dict):
            reject(f"{here}.healthcheck", V1_UNSUPPORTED_HEALTHCHECK & set(healthcheck))
    return errors


def validate(schema: dict, data: Any) -> list[str]:
    """All errors of a parsed compose file: schema, cross references, compose v1 compatibility."""
    if not isinstance(data, dict):
        return ["(top level): a compose file must be a mapping"]
    return [*schema_errors(schema, data), *reference_errors(data), *compose_v1_errors(data)]


def validate_file(schema_path: str | Path, compose_path: str | Path) -> list[str]:
    """All errors of the compose file at compose_path; an empty list means it is valid."""
    schema = load_schema(schema_path)
    try:
        data = load_compose(compose_path)
    except ComposeLoadError as exc:
        return [str(exc)]
    return validate(schema, data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Validate a docker-compose file against the Compose Specification, offline."
    )
    parser.add_argument("schema", help="the Compose Specification JSON schema")
    parser.add_argument("compose_files", nargs="+", metavar="compose_file")
    args = parser.parse_args(argv)

    status = 0
    for compose_file in args.compose_files:
        errors = validate_file(args.schema, compose_file)
        if errors:
            status = 1
            for error in errors:
                print(f"{compose_file}: {error}")
            print(f"{compose_file}: {len(errors)} error(s)")
        else:
            print(f"{compose_file}: OK")
    return status


if __name__ == "__main__":
    sys.exit(main())
