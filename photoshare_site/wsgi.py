import os

from django.core.wsgi import get_wsgi_application

from photoshare_site.private_files import keep_new_files_private

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "photoshare_site.settings")
# Also when an operator runs gunicorn on this module directly rather than through `manage.py serve`.
keep_new_files_private()

application = get_wsgi_application()
