"""Test override: a throwaway data folder and fast password hashing."""

import os
import tempfile

os.environ["PHOTOSHARE_DATA_DIR"] = tempfile.mkdtemp(prefix="photoshare-test-")
os.environ["DJANGO_SECRET_KEY"] = "test-only-secret-key"  # noqa: S105

from photoshare_site.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
STATIC_ROOT.mkdir(exist_ok=True)  # noqa: F405  (WhiteNoise warns when it is missing)
