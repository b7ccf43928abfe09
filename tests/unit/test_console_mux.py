"""The host side of the multiplexed console: streams split exactly, bytes never lost."""

from unibuild.launch.console_mux import DLE, ConsoleDemux


def join(pieces):
    out = {}
    for stream, data in pieces:
        out[stream] = out.get(stream, b"") + data
    return out


def test_streams_are_split_and_a_doubled_dle_is_data():
    raw = b"boot line\n\x10ohello \x10\x10 world\n\x10eoops\n\x10kkernel\n\x10oend"
    assert join(ConsoleDemux().feed(raw)) == {
        "kernel": b"boot line\nkernel\n", "stdout": b"hello \x10 world\nend", "stderr": b"oops\n",
    }


def test_sequences_split_across_chunks_decode_the_same():
    raw = b"\x10oab\x10\x10c\x10ed\x10ke"
    whole = join(ConsoleDemux().feed(raw))
    for cut in range(len(raw) + 1):
        d = ConsoleDemux()
        assert join(d.feed(raw[:cut]) + d.feed(raw[cut:])) == whole


def test_unknown_escape_keeps_its_bytes():
    assert join(ConsoleDemux().feed(bytes([DLE]) + b"zq")) == {"kernel": b"\x10zq"}


def test_stdin_is_framed_with_dle_doubled_and_a_dle_z_end():
    from unibuild.launch.console_mux import END_OF_INPUT, encode_input
    assert encode_input(b"a\x10b") == b"a\x10\x10b"
    assert END_OF_INPUT == b"\x10z"


def test_the_kernels_input_open_is_no_stream_switch_and_no_data():
    demux = ConsoleDemux()
    assert demux.feed(b"\x10ohi\x10i!") == [("stdout", b"hi!")]
    assert demux.input_open and demux.stream == "stdout"
