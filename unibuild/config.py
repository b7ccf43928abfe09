"""The -c/--config JSON file of `unibuild run` and `unibuild build`: which keys it may hold,
their shapes, and how they merge with the command line. One file can describe a whole run, as
ops's config.json does: the program and its arguments (`program`, `args`), the image (`with`: the programs it may exec) and the boot.

Every value goes through the click parameter of the option it stands for (the same type and
checks as on the command line), so a wrong value is one line naming the key, never a
traceback. The command line wins: a scalar from the file only fills an option the command line
left at its default; list and object values (env, files, dirs, kernel_options) come first and
the command line's own entries after them. A PROGRAM on the command line replaces the file's
`program` and `args` together. `build` takes the same file and uses the keys that shape the
image; the boot's keys (accel, memory, ports, ...) are checked there too, then left unused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
from click.core import ParameterSource

from .errors import UserError
from .image.kernel_options import check_kernel_option_names
from .launch.network import parse_port
from .launch.qemu_cmdline import parse_memory


@dataclass(frozen=True)
class Key:
    param: str                 # the command's parameter the key feeds
    shape: str = "scalar"      # "scalar", "list", "object" (of strings/ints, given as KEY=VALUE)
    merge: str = "default"     # "default": fills a default; "prepend": file entries, then the command line's
    example: str = ""          # shown when the shape is wrong
    check: Callable | None = None   # the converted value's own check (raises UserError), as boot would


def _check_smp(n: int) -> None:
    if n < 1:
        raise UserError(f"must be at least 1, not {n}")


def _check_timeout(t: float) -> None:
    if t <= 0:
        raise UserError(f"must be a positive number of seconds, not {t:g}")


def _check_ports(specs) -> None:
    for spec in specs:
        parse_port(spec)


def _check_kernel_options(specs) -> None:
    from .image.manifest import parse_kernel_option   # the image writer's module: construct
    check_kernel_option_names(parse_kernel_option(spec)[0] for spec in specs)


KEYS: dict[str, Key] = {
    "program": Key("program", merge="program"),
    "args": Key("args", "list", "program", '["-c", "print(1)"]'),
    "target_root": Key("target_root"),
    "env": Key("env", "object", "prepend", '{"LANG": "C.UTF-8"}'),
    "with": Key("with_programs", "list", "prepend", '["/bin/busybox", "/usr/bin/python3"]'),
    "files": Key("files", "list", "prepend", '["SRC:DST"]'),
    "dirs": Key("dirs", "list", "prepend", '["SRC:DST"]'),
    "extras": Key("no_extras"),   # inverted: extras=false is --no-extras
    "kernel_options": Key("kopt", "object", "prepend", '{"profile": 1}', _check_kernel_options),
    "workdir": Key("workdir"),
    "profile": Key("profile"),
    "accel": Key("accel"),
    "gic": Key("gic"),
    "cpu": Key("cpu"),
    "memory": Key("memory", check=parse_memory),
    "smp": Key("smp", check=_check_smp),
    "timeout": Key("timeout", check=_check_timeout),
    "ports": Key("ports", "list", "default", '["8080", "5353:53/udp"]', _check_ports),
    "net": Key("net"),
    "net_backend": Key("net_backend"),
    "pcap": Key("pcap"),
    "ip": Key("ip"),
    "gateway": Key("gateway"),
    "volumes": Key("volumes", "list", "prepend", '["data:/data", "./cache.tfs:/cache:ro"]'),
}


def load_config(path: Path) -> dict:
    """The file's JSON object, with its keys checked against KEYS (values are checked on merge)."""
    try:
        data = json.loads(Path(path).read_text())
    except OSError as e:
        raise UserError(f"cannot read config file {path}: {e.strerror}") from e
    except json.JSONDecodeError as e:
        raise UserError(f"config file {path} is not valid JSON: {e.msg} at line {e.lineno}") from e
    if not isinstance(data, dict):
        raise UserError(f"config file {path} must hold a JSON object")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise UserError(f"config file {path}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(KEYS))}")
    return data


def _shaped(name: str, key: Key, value):
    """The value in the form the option's parameter takes, or a one-line error about its shape."""
    if key.shape == "list":
        if not isinstance(value, list):
            raise UserError(f"config key {name} must be a list like {key.example}")
        if not all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in value):
            raise UserError(f"config key {name} must be a list of strings like {key.example}")
        return [str(v) if isinstance(v, int) else v for v in value]
    if key.shape == "object":
        if not isinstance(value, dict) or not all(isinstance(v, (int, str)) and not isinstance(v, bool)
                                                  for v in value.values()):
            raise UserError(f"config key {name} must be an object like {key.example}")
        return [f"{k}={v}" for k, v in value.items()]
    if isinstance(value, (list, dict)) or value is None:
        raise UserError(f"config key {name} must be a single value, not {json.dumps(value)}")
    if name == "extras":
        if not isinstance(value, bool):
            raise UserError("config key extras must be true or false")
        return not value
    if isinstance(value, bool):   # JSON's true is no number, size or name
        raise UserError(f"config key {name} must be a number or a string, not {json.dumps(value)}")
    return value


def merge_config(ctx: click.Context, kwargs: dict, config: dict, unused_params=()) -> None:
    """Config values converted by the command's own parameters, merged into its kwargs.
    `unused_params` are another command's parameters (run's, for build): keys only they take
    are converted and checked the same way, then dropped."""
    params = {p.name: p for p in unused_params}
    params.update((p.name, p) for p in ctx.command.params)
    own = {p.name for p in ctx.command.params}
    program_given = "program" in own and ctx.get_parameter_source("program") != ParameterSource.DEFAULT
    for name, value in config.items():
        key = KEYS[name]
        param = params[key.param]
        shaped = _shaped(name, key, value)
        try:
            converted = param.type_cast_value(ctx, shaped)
            if key.check is not None:
                key.check(converted)
        except click.BadParameter as e:
            raise UserError(f"config key {name}: {e.format_message()}") from None
        except UserError as e:
            raise UserError(f"config key {name}: {e}") from None
        if key.param not in own:
            continue
        if key.merge == "program":
            if not program_given:
                kwargs[key.param] = converted
        elif key.merge == "prepend":
            kwargs[key.param] = tuple(converted) + tuple(kwargs[key.param])
        elif ctx.get_parameter_source(key.param) == ParameterSource.DEFAULT:
            kwargs[key.param] = converted
