"""Reading the kernel's missing-file lines and grouping ld.so's library search into one entry."""

from unibuild.resolve.missing import group, missing_paths


def test_lines_are_read_with_strace_quoting_and_other_lines_ignored():
    console = ('hello\nmissing-file: "/etc/a b"\nmissing-file: "/x/\\303\\251\\n"\n'
               "missing-file: 3 more not kept\n")
    assert missing_paths(console) == ["/etc/a b", "/x/\u00e9\n"]


def test_a_library_search_is_one_entry_and_its_directory_stats_are_dropped():
    paths = ["/etc/ld.so.preload", "/lib/aarch64-linux-gnu/tls/libz.so.1", "/lib/aarch64-linux-gnu/tls",
             "/usr/lib/libz.so.1", "/usr/lib", "/data/libz.so.1"]
    assert group(paths) == [("/etc/ld.so.preload", ["/etc/ld.so.preload"]),
                            ("libz.so.1", ["/lib/aarch64-linux-gnu/tls/libz.so.1", "/usr/lib/libz.so.1"]),
                            ("/data/libz.so.1", ["/data/libz.so.1"])]


def test_a_program_an_exec_did_not_find_is_remedied_with_with(tmp_path):
    """missing-exec lines (kernel/trace/missing.c, for execve/execveat) name the program and
    suggest --with, which brings its libraries as well."""
    from unibuild.resolve.missing import report
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin/busybox").write_bytes(b"\x7fELF")
    console = 'missing-exec: "/bin/busybox"\nmissing-file: "/etc/x"\nmissing-exec: "/bin/none"\n'
    assert missing_paths(console) == ["/bin/busybox", "/etc/x", "/bin/none"]
    assert report(console, tmp_path)[1:] == [
        "  /bin/busybox (a program to run): /bin/busybox is in the target root; add --with /bin/busybox",
        "  /etc/x: not in the target root either",
        "  /bin/none: not in the target root either",
    ]
