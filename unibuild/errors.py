"""The one exception type for problems a user can cause.

Library code raises UserError with a human sentence; the CLI boundary prints it as a single
line (`unibuild: <message>`) and exits non-zero. Anything else escaping is a bug and keeps
its traceback.
"""


class UserError(Exception):
    """A problem the user can fix: bad input, missing tool, corrupt image."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code
