"""The one exception type for problems a user can cause, and the exit statuses unibuild itself uses.

Library code raises UserError with a human sentence; the CLI boundary prints it as a single
line (`unibuild: <message>`) and exits non-zero. Anything else escaping is a bug and keeps
its traceback.

Exit statuses follow docker's scheme, so a script can tell unibuild's failures from the
program's own statuses (which `run` passes through unchanged, 0..255): 125 unibuild itself
failed (a bad option, a missing tool, QEMU died), 126 the program cannot be executed, 127 it is
not there; 124 a --timeout, 130 Ctrl-C, 141 our stdout closed (a shell's SIGPIPE status).
"""

EXIT_FAILED = 125        # unibuild (not the program) failed: docker's 125
EXIT_CANNOT_EXECUTE = 126
EXIT_NOT_FOUND = 127
EXIT_TIMEOUT = 124       # like timeout(1)
EXIT_INTERRUPTED = 130   # like a shell after SIGINT
EXIT_BROKEN_PIPE = 141   # like a shell whose program died of SIGPIPE (128 + 13)


class UserError(Exception):
    """A problem the user can fix: bad input, missing tool, corrupt image."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED):
        super().__init__(message)
        self.exit_code = exit_code
