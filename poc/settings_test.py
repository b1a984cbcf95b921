"""Test settings: the production settings with fast hashing, in-memory mail and plain static files."""

from poc.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
POC_BACKUP_DIR = VAR_DIR / "test-backups"  # noqa: F405
# The second connection stays open for the thread's life and would keep the test database from being dropped:
# tests/poc/test_parallel_reads.py turns it on and closes it.
POC_PARALLEL_READS = False
