"""A KubeVirt VirtualMachine for an image, and the OCI image that carries it.

KubeVirt takes a VM's disk from a container image (a containerDisk: the disk file under /disk/,
readable by the qemu user, uid 107) and a direct-boot kernel from a container image too
(firmware.kernelBoot.container). One image holds both: /disk/image.tfs and /boot/Image. It is
built as an OCI image layout with Debian's umoci (each file a layer of its own via `umoci
insert`, owned by 107:107 through a uid/gid map, the config marked linux/arm64), and pushed by
the user with any OCI tool (docs/deploy.md: `skopeo copy oci:DIR:TAG docker://REGISTRY/...`).

The manifest is written as JSON, which is YAML: `kubectl apply -f` takes it as it is.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import UserError
from .settings import Machine

DISK_PATH = "/disk/image.tfs"
KERNEL_PATH = "/boot/Image"
QEMU_UID = 107                        # KubeVirt's qemu user, who opens the containerDisk
TAG = "latest"


def _umoci(*args: str) -> None:
    if shutil.which("umoci") is None:
        raise UserError("umoci not found on PATH: install the Debian package umoci")
    r = subprocess.run(["umoci", *args], capture_output=True, text=True)
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise UserError(f"umoci {args[0]} failed: {last}")


def build_layout(layout: Path, kernel: Path, image: Path) -> None:
    """The OCI image layout at `layout` (a new directory) with the disk and kernel, tagged TAG."""
    if layout.exists():
        raise UserError(f"{layout} already exists; remove it or pick another -o")
    ref = f"{layout}:{TAG}"
    ids = [f"--uid-map={QEMU_UID}:{os.getuid()}:1", f"--gid-map={QEMU_UID}:{os.getgid()}:1"]
    if os.geteuid() != 0:
        ids.append("--rootless")
    _umoci("init", "--layout", str(layout))
    _umoci("new", "--image", ref)
    _umoci("config", "--image", ref, "--architecture", "arm64", "--os", "linux", "--no-history")
    with tempfile.TemporaryDirectory(prefix="unibuild-oci-") as tmp:
        for source, target in ((image, DISK_PATH), (kernel, KERNEL_PATH)):
            staged = Path(tmp) / Path(target).name
            shutil.copyfile(source, staged)
            staged.chmod(0o444)   # read-only: KubeVirt puts a writable overlay on top
            _umoci("insert", *ids, "--image", ref, "--history.created_by", f"unibuild export: {target}",
                   str(staged), target)
    _umoci("gc", "--layout", str(layout))   # the configs and manifests each step replaced


def vm_manifest(name: str, image_ref: str, m: Machine) -> str:
    """The VirtualMachine, booting our kernel from `image_ref` with the disk from the same image."""
    if m.gic == "2":
        raise UserError("KubeVirt on arm64 gives its VMs a GICv3; --gic 2 cannot be exported to it")
    domain = {
        "cpu": {"cores": m.smp, "model": "host-passthrough"},
        "memory": {"guest": f"{m.memory_mib}Mi"},
        "resources": {"requests": {"memory": f"{m.memory_mib}Mi"}},
        "firmware": {"kernelBoot": {
            "kernelArgs": m.cmdline,
            "container": {"image": image_ref, "kernelPath": KERNEL_PATH},
        }},
        "devices": {
            "disks": [{"name": "image", "disk": {"bus": "virtio"}}],
            "interfaces": ([{"name": "default", "masquerade": {}, "model": "virtio",
                             "ports": [{"port": f.guest, "protocol": f.proto.upper()} for f in m.ports]}]
                           if m.net else []),
            "autoattachSerialConsole": True,
            "autoattachGraphicsDevice": False,
            "autoattachMemBalloon": False,
        },
    }
    if not m.net:
        domain["devices"]["autoattachPodInterface"] = False
    vm = {
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            # A unikernel that exits 0 is done; one that fails is started again.
            "runStrategy": "RerunOnFailure",
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "architecture": "arm64",
                    "domain": domain,
                    "networks": [{"name": "default", "pod": {}}] if m.net else [],
                    "volumes": [{"name": "image", "containerDisk": {"image": image_ref, "path": DISK_PATH}}],
                },
            },
        },
    }
    return json.dumps(vm, indent=2) + "\n"
