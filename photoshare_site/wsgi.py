import gc
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from photoshare_site.private_files import keep_new_files_private

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "photoshare_site.settings")
# Also when an operator runs gunicorn on this module directly rather than through `manage.py serve`.
keep_new_files_private()

application = get_wsgi_application()

# Direct uploads' signed PUTs skip Django's middleware (uploads/local_put.py); imported once Django is set up.
from photoshare_site import wiring  # noqa: E402
from uploads.local_put import serving_puts  # noqa: E402

application = serving_puts(application, wiring.local_staging, settings.GUEST_API_CORS_ORIGINS)

# What loading Django allocated lives as long as the worker: frozen, the collector stops walking it in
# every full collection, a pause of milliseconds that, taken while SQLite's write lock is held, stalls
# every other worker's upload too (bench P8: 0.53-0.64 of the raw sqlite3 rate without, README).
gc.freeze()
