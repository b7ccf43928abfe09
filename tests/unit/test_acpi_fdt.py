"""The EFI stub's ACPI → device tree translation (kernel/efi/acpi_fdt.c), on the host
(tests/fuzz/acpi_fdt_dump, ASan/UBSan), fed tables laid out as the ACPI 6.4 specification gives
them (struct offsets written here from the specification, not from ACPICA's headers the kernel
uses). The good tables' values are the oracle for the tree; each damaged or missing table is one
`acpi:` line (the stub prints it through the firmware's console and powers off, as every `efi:`
error; tests/boot/test_efi_disk.py boots EDK2's real tables)."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DUMP = ROOT / "build" / "host" / "fuzz" / "acpi_fdt_dump"
BASE = 0x300000000000       # where the blob is placed (its tables' "physical" addresses; between ASan's shadow and its heap)


@pytest.fixture(scope="session")
def dump_tool():
    subprocess.run(["make", "-s", "kernel"], cwd=ROOT, check=True, capture_output=True)   # fetches libfdt, ACPICA
    subprocess.run(["make", "-s", "-C", str(ROOT / "tests" / "fuzz"), "acpi"], check=True)
    return DUMP


def checksummed(body: bytearray, at: int) -> bytes:
    body[at] = (-sum(body)) & 0xFF
    return bytes(body)


def table(sig: bytes, payload: bytes, revision: int = 1) -> bytes:
    length = 36 + len(payload)
    head = struct.pack("<4sIBB6s8sI4sI", sig, length, revision, 0, b"UNIBLD", b"TESTTBL ", 1, b"TEST", 1)
    return checksummed(bytearray(head + payload), 9)


def madt(gic: int) -> bytes:
    subs = b""
    for mpidr in (0x0, 0x1, 0x100):
        enabled = 0 if mpidr == 0x100 else 1                  # a disabled CPU is left out
        subs += struct.pack("<BBHIIIIIQQQQIQQB3x", 0xB, 80, 0, mpidr, mpidr, enabled, 0, 23, 0,
                            0x8010000 if gic == 2 else 0, 0, 0, 25, 0, mpidr, 0)
    subs += struct.pack("<BBHIQIB3x", 0xC, 24, 0, 0, 0x8000000, 0, gic)
    if gic == 3:
        subs += struct.pack("<BBBBQI", 0xE, 16, 0, 0, 0x80A0000, 0xF60000)
        subs += struct.pack("<BBHIQI", 0xF, 20, 0, 0, 0x8080000, 0)
    else:
        subs += struct.pack("<BBHIQIHH", 0xD, 24, 0, 0, 0x8020000, 1, 64, 80)
    return table(b"APIC", struct.pack("<II", 0, 0) + subs, 4)


def gtdt(virtual: int = 27) -> bytes:
    body = struct.pack("<QIIIIIIIIIQII", 0, 0, 29, 0, 30, 0, virtual, 0, 26, 0, 0, 0, 0)
    return table(b"GTDT", body, 2)


def spcr(kind: int = 3) -> bytes:
    gas = struct.pack("<BBBBQ", 0, 32, 0, 3, 0x9000000)
    body = struct.pack("<B3x", kind) + gas + struct.pack("<BBIBBBBBBHHBBBIBI", 8, 0, 33, 3, 0, 1, 0, 3, 0,
                                                          0xFFFF, 0xFFFF, 0, 0, 0, 0, 0, 0)
    return table(b"SPCR", body, 2)


def mcfg() -> bytes:
    return table(b"MCFG", bytes(8) + struct.pack("<QHBBI", 0x4010000000, 0, 0, 255, 0), 1)


def pkg_length(body: int) -> bytes:
    """AML's PkgLength (ACPI 6.4 section 20.2.4) for a package of `body` bytes after it."""
    if body + 1 < 64:
        return bytes([body + 1])
    n = body + 2
    return bytes([0x40 | (n & 0xF), n >> 4])


def crs(descriptors: bytes) -> bytes:
    """Name (_CRS, ResourceTemplate () {...}): NameOp, the name, BufferOp, PkgLength, size, bytes."""
    buf = descriptors + b"\x79\x00"
    inner = b"\x0a" + bytes([len(buf)]) + buf
    return b"\x08_CRS\x11" + pkg_length(len(inner)) + inner


def dsdt(pci_crs: bool = True) -> bytes:
    aml = b"\x08_HID\x0dQEMU0002\x00" + crs(struct.pack("<BHBII", 0x86, 9, 1, 0x9020000, 0x18))
    aml += b"\x08_HID\x0dPNP0A08\x00"
    aml += crs(struct.pack("<BHB", 0x89, 6, 0x0D) + struct.pack("<BI", 1, 35))   # a GSI link: no windows
    if pci_crs:
        bus = struct.pack("<BHBBBHHHHH", 0x88, 13, 2, 0x0C, 0, 0, 0, 255, 0, 256)
        io = struct.pack("<BHBBBIIIII", 0x87, 23, 1, 0x0C, 3, 0, 0, 0xFFFF, 0x3EFF0000, 0x10000)
        m32 = struct.pack("<BHBBBIIIII", 0x87, 23, 0, 0x0C, 3, 0, 0x10000000, 0x3EFEFFFF, 0, 0x2EFF0000)
        m64 = struct.pack("<BHBBBQQQQQ", 0x8A, 43, 0, 0x0C, 3, 0, 0x8000000000, 0xFFFFFFFFFF, 0, 0x8000000000)
        aml += crs(bus + io + m32 + m64)
    return table(b"DSDT", aml, 2)


def fadt(dsdt_at: int, flags: int = 3) -> bytes:
    body = bytearray(276 - 36)
    struct.pack_into("<I", body, 40 - 36, dsdt_at if dsdt_at < 1 << 32 else 0)   # above 4 GiB: X_DSDT only
    struct.pack_into("<HB", body, 129 - 36, flags, 1)     # ARM boot flags: PSCI, HVC; minor revision
    struct.pack_into("<Q", body, 140 - 36, dsdt_at)
    return table(b"FACP", bytes(body), 6)


def blob(**change) -> bytes:
    """RSDP at +8, then the XSDT and the tables; `change` replaces or drops (None) one by name."""
    gic = change.pop("gic", 3)
    tables = {"MADT": madt(gic), "GTDT": gtdt(), "SPCR": spcr(), "MCFG": mcfg(), "DSDT": dsdt()}
    tables.update(change)
    order = [k for k in ("MADT", "GTDT", "SPCR", "MCFG") if tables.get(k) is not None]
    off = 8 + 36
    xsdt_at = off
    xsdt_len = 36 + 8 * (len(order) + 1)
    off += xsdt_len
    placed, data = {}, b""
    dsdt_bytes = tables["DSDT"]
    placed["DSDT"] = off
    data += dsdt_bytes
    off += len(dsdt_bytes)
    fadt_bytes = tables.get("FADT", fadt(BASE + placed["DSDT"]))
    for name, t in [("FADT", fadt_bytes)] + [(k, tables[k]) for k in order]:
        if t is None:
            continue
        placed[name] = off
        data += t
        off += len(t)
    entries = [BASE + placed[k] for k in ["FADT", *order] if k in placed]
    xsdt = table(b"XSDT", b"".join(struct.pack("<Q", e) for e in entries))
    rsdp = bytearray(struct.pack("<8sB6sBIIQB3x", b"RSD PTR ", 0, b"UNIBLD", 2, 0, 36, BASE + xsdt_at, 0))
    rsdp[8] = (-sum(rsdp[:20])) & 0xFF
    rsdp[32] = (-sum(rsdp)) & 0xFF
    head = struct.pack("<Q", BASE) + bytes(rsdp)
    return head + xsdt.ljust(xsdt_len, b"\0") + data


def run(tool, tmp_path, data: bytes):
    path = tmp_path / "tables.bin"
    path.write_bytes(data)
    r = subprocess.run([str(tool), str(path)], capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout, r.stderr


def props(out: str) -> dict[str, str]:
    return {line.split(" = ")[0] if " = " in line else line.rstrip(" ="): line.partition(" = ")[2].replace(" ", "")
            for line in out.splitlines()}


def cells(*values: int) -> str:
    return "".join(f"{v:08x}" for v in values)


def test_gicv3_tables_become_the_tree_the_kernel_reads(dump_tool, tmp_path):
    status, out, err = run(dump_tool, tmp_path, blob())
    assert status == 0, (out, err)
    p = props(out)
    assert p["/interrupt-controller@8000000 compatible"] == b"arm,gic-v3\0".hex()
    assert p["/interrupt-controller@8000000 reg"] == cells(0, 0x8000000, 0, 0x10000, 0, 0x80A0000, 0, 0xF60000)
    assert p["/interrupt-controller@8000000/msi-controller@8080000 compatible"] == b"arm,gic-v3-its\0".hex()
    # Enabled GIC CPU interfaces only, by MPIDR, started through PSCI over HVC (the FADT's flags).
    assert p["/cpus/cpu@0 reg"] == cells(0, 0) and p["/cpus/cpu@1 reg"] == cells(0, 1)
    assert not any(k.startswith("/cpus/cpu@100 ") for k in p)
    assert p["/cpus/cpu@1 enable-method"] == b"psci\0".hex()
    assert p["/psci method"] == b"hvc\0".hex()
    # The timer's four PPIs in the binding's order (secure, non-secure, virtual, hypervisor).
    assert p["/timer interrupts"] == cells(1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4)
    assert p["/pl011@9000000 reg"] == cells(0, 0x9000000, 0, 0x1000)
    assert p["/pl011@9000000 interrupts"] == cells(0, 1, 4)
    assert p["/chosen stdout-path"] == b"/pl011@9000000\0".hex()
    assert p["/fw-cfg@9020000 reg"] == cells(0, 0x9020000, 0, 0x18)
    # ECAM from the MCFG; the windows from the bridge's _CRS (memory only, not the GSI link's).
    assert p["/pcie@4010000000 reg"] == cells(0x40, 0x10000000, 0, 256 << 20)   # 256 buses of 1 MiB
    assert p["/pcie@4010000000 bus-range"] == cells(0, 255)
    assert p["/pcie@4010000000 ranges"] == cells(0x02000000, 0, 0x10000000, 0, 0x10000000, 0, 0x2EFF0000,
                                                 0x03000000, 0x80, 0, 0x80, 0, 0x80, 0)


def test_gicv2_tables_give_the_cpu_interface_and_the_v2m_frame(dump_tool, tmp_path):
    status, out, err = run(dump_tool, tmp_path, blob(gic=2))
    assert status == 0, (out, err)
    p = props(out)
    assert p["/interrupt-controller@8000000 compatible"] == b"arm,cortex-a15-gic\0".hex()
    assert p["/interrupt-controller@8000000 reg"] == cells(0, 0x8000000, 0, 0x1000, 0, 0x8010000, 0, 0x2000)
    v2m = "/interrupt-controller@8000000/v2m@8020000"
    assert p[f"{v2m} arm,msi-base-spi"] == cells(80) and p[f"{v2m} arm,msi-num-spis"] == cells(64)


def corrupt(t: bytes) -> bytes:
    b = bytearray(t)
    b[9] ^= 0x55
    return bytes(b)


@pytest.mark.parametrize("change, words", [
    ({"MADT": corrupt(madt(3))}, "MADT fails its checksum"),
    ({"MADT": None}, "no MADT"),
    ({"GTDT": None}, "no GTDT"),
    ({"GTDT": gtdt(virtual=40)}, "virtual timer interrupt is not a PPI"),
    ({"SPCR": None}, "no SPCR"),
    ({"SPCR": spcr(kind=0)}, "not a PL011"),
    ({"MCFG": corrupt(mcfg())}, "MCFG fails its checksum"),
    ({"DSDT": dsdt(pci_crs=False)}, "no memory window"),
    ({"DSDT": corrupt(dsdt())}, "no valid DSDT"),
])
def test_a_damaged_or_missing_table_is_one_acpi_line(dump_tool, tmp_path, change, words):
    status, out, err = run(dump_tool, tmp_path, blob(**change))
    assert status == 2 and out.startswith("acpi: ") and out.count("\n") == 1 and words in out, (out, err)


def test_a_damaged_rsdp_or_xsdt_is_one_acpi_line(dump_tool, tmp_path):
    data = bytearray(blob())
    data[8 + 8] ^= 1                                       # the RSDP's checksum
    assert run(dump_tool, tmp_path, bytes(data))[:2] == (2, "acpi: the firmware's RSDP is not valid (signature or checksum)\n")
    data = bytearray(blob())
    data[8 + 36 + 9] ^= 1                                  # the XSDT's checksum
    status, out, _ = run(dump_tool, tmp_path, bytes(data))
    assert status == 2 and "XSDT fails" in out, out
