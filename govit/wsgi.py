"""WSGI entry point for gunicorn and any other WSGI server.

Production settings unless DJANGO_SETTINGS_MODULE says otherwise: a server started without that
variable must not run with DEBUG on and the development key (the production settings refuse to
start without SECRET_KEY and ALLOWED_HOSTS). `make run` serves with `runserver` and the
development settings.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govit.settings.prod")
application = get_wsgi_application()
