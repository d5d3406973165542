from django.apps import AppConfig


class KeptConfig(AppConfig):
    name = "govit.kept"
    label = "kept"
    verbose_name = "留存的读取"

    def ready(self) -> None:
        # deferred: the receivers read through access and organizations, whose models Django
        # loads only after every app's config
        from govit.kept import receivers

        receivers.connect()
