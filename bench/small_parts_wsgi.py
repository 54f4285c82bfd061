"""The `make run` app with direct-upload parts of BENCH_PART_SIZE bytes (P9), so that a file of a few MB
is a multipart upload (the 8 MiB default is what S3 needs, not what resuming does)."""

import os

from uploads.stores import staging_fs

staging_fs.FileSystemStaging.__init__.__kwdefaults__ = {"part_size": int(os.environ["BENCH_PART_SIZE"])}

from photoshare_site.wsgi import application  # noqa: E402

__all__ = ["application"]
