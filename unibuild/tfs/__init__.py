"""The tuple filesystem (TFS): on-disk format (format.py), writer, reader. Spec: docs/tfs.md."""
