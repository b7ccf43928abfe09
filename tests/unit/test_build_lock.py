"""build_lock.exclusive: a second builder of the same product waits for the first, across processes."""

from __future__ import annotations

import subprocess
import sys
import time

from unibuild.build_lock import exclusive

CHILD = """
import sys, time
from pathlib import Path
from unibuild.build_lock import exclusive
with exclusive(Path(sys.argv[1]), lambda: print("waiting", flush=True)):
    print("acquired", flush=True)
"""


def test_second_holder_waits_until_the_first_releases(tmp_path):
    lock = tmp_path / "sub" / ".virt.lock"
    with exclusive(lock):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(lock)], stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "waiting"
        time.sleep(0.2)
        assert child.poll() is None, "the child got the lock while we held it"
    out, _ = child.communicate(timeout=30)
    assert out.strip() == "acquired" and child.returncode == 0


def test_lock_is_released_when_the_holder_dies(tmp_path):
    lock = tmp_path / ".root.lock"
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sys,time\nfrom pathlib import Path\nfrom unibuild.build_lock import exclusive\n"
                               "with exclusive(Path(sys.argv[1])):\n print('held', flush=True); time.sleep(60)",
                               str(lock)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait(timeout=30)
    waited = []
    with exclusive(lock, lambda: waited.append(True)):
        pass
    assert waited == []
