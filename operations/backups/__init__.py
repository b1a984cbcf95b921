"""Backups of the database and uploaded files: ``archive`` (format, checksum, manifest), the ``postgres`` and
``sqlite`` drivers, ``retention``, ``services`` (create, verify, restore, run) and ``selectors`` (status)."""
