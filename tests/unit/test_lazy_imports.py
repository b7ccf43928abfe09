"""What a warm `unibuild run` loads before it boots: parsing run's options and checking a config
must not pull in the image writer (construct), the resolver (pyelftools) or the QEMU runner
(asyncio, QMP); pipeline.run imports each where its stage runs, and run_qemu loads asyncio and
QMP only after starting QEMU. A module-level import that
defeats this is easy to add by accident, and costs tens of milliseconds on every run."""

import subprocess
import sys

HEAVY = ("construct", "elftools", "asyncio", "qemu.qmp",
         "unibuild.instances", "unibuild.commands.print_qemu")   # only for run -d / --print-qemu


def loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    return set(r.stdout.split())


def test_run_command_and_its_options_load_none_of_the_stages():
    code = ("from unibuild.commands import run_cmds, options\n"
            "from unibuild.config import KEYS\n"
            "from unibuild.launch import LaunchOptions, build_command\n"
            "from unibuild.pipeline import ImageRequest")
    assert loaded_after(code) == set()


def test_starting_qemu_early_loads_no_runner():
    # pipeline.run starts QEMU with qemu_start before the runner (qemu_run) is imported.
    assert loaded_after("from unibuild.launch import qemu_start\nfrom unibuild import early_start") == set()
    code = "from unibuild.launch import qemu_start\nprint('unibuild.launch.qemu_run' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", f"import sys\n{code}"], capture_output=True, text=True,
                       timeout=60, check=True)
    assert r.stdout.strip() == "False"


def test_the_runner_loads_asyncio_and_qmp_once_qemu_is_started():
    # run_qemu starts QEMU, then loads them (they overlap QEMU's start-up).
    assert loaded_after("from unibuild.launch import boot") == set()
    assert {"asyncio", "qemu.qmp"} <= loaded_after(
        "from unibuild.launch import qemu_run\nqemu_run._load_session_modules()")
