"""How tfs_dump and the kernel's tfstest hook print names: the escaping both sides compare."""


def show(raw: bytes) -> str:
    """tfs_dump's and the kernel's escaping: printable ASCII but backslash as is, else \\xNN."""
    return "".join(chr(b) if 0x20 <= b < 0x7F and b != 0x5C else f"\\x{b:02x}" for b in raw)


def enc(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")
