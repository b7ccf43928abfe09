"""Splitting the guest's multiplexed console (kernel argument `console=mux`, see kernel/console.c)
back into its streams: the program's stdout ('o') and stderr ('e') and kernel messages ('k').
A stream switch is DLE (0x10) plus the stream letter; DLE DLE is a literal 0x10 byte.

The other direction carries the program's stdin (docs/host-kernel-contract.md): its bytes as
they are with DLE doubled, then DLE 'z' when our stdin ends, so the program's read() returns 0
while the serial line itself stays open. The host sends nothing before the kernel's DLE 'i'
(input open), which is no stream switch."""

from __future__ import annotations

DLE = 0x10
STREAMS = {ord("o"): "stdout", ord("e"): "stderr", ord("k"): "kernel"}
INPUT_OPEN = ord("i")
END_OF_INPUT = bytes([DLE, ord("z")])


def encode_input(data: bytes) -> bytes:
    """Stdin bytes as the kernel's console reads them: every DLE doubled."""
    return data.replace(bytes([DLE]), bytes([DLE, DLE]))


class ConsoleDemux:
    """Incremental decoder: feed() bytes as they arrive, get (stream, bytes) pieces in order."""

    def __init__(self, first: str = "kernel") -> None:
        # Until the guest says otherwise it is the kernel speaking (or, booted through UEFI
        # firmware, the firmware: the kernel's first byte is always a stream switch).
        self.stream = first
        self._escape = False
        self.input_open = False  # the kernel said DLE 'i': it takes stdin now

    def feed(self, chunk: bytes) -> list[tuple[str, bytes]]:
        pieces: list[tuple[str, bytes]] = []
        out = bytearray()

        def flush() -> None:
            if out:
                pieces.append((self.stream, bytes(out)))
                out.clear()

        for byte in chunk:
            if self._escape:
                self._escape = False
                if byte == DLE:
                    out.append(DLE)
                elif byte in STREAMS:
                    flush()
                    self.stream = STREAMS[byte]
                elif byte == INPUT_OPEN:
                    self.input_open = True
                else:   # not a sequence we know: keep the bytes rather than lose them
                    out += bytes([DLE, byte])
            elif byte == DLE:
                self._escape = True
            else:
                out.append(byte)
        flush()
        return pieces
