"""Splitting the guest's multiplexed console (kernel argument `console=mux`, see kernel/console.c)
back into its streams: the program's stdout ('o') and stderr ('e') and kernel messages ('k').
A stream switch is DLE (0x10) plus the stream letter; DLE DLE is a literal 0x10 byte."""

from __future__ import annotations

DLE = 0x10
STREAMS = {ord("o"): "stdout", ord("e"): "stderr", ord("k"): "kernel"}


class ConsoleDemux:
    """Incremental decoder: feed() bytes as they arrive, get (stream, bytes) pieces in order."""

    def __init__(self) -> None:
        self.stream = "kernel"   # until the guest says otherwise, it is the kernel speaking
        self._escape = False

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
                else:   # not a sequence we know: keep the bytes rather than lose them
                    out += bytes([DLE, byte])
            elif byte == DLE:
                self._escape = True
            else:
                out.append(byte)
        flush()
        return pieces
