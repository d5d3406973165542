"""Pages, one module per area; each module lists its own ``urlpatterns`` (see govit/web/urls.py).

Views stay thin: they read through selectors, write through services, and render."""
