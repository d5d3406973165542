from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "govit.jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        # under `runserver` with no Redis, the jobs run in this process (govit/jobs/inprocess.py)
        # deferred: inprocess imports the runner's models, which exist once the registry is ready
        from govit.jobs import inprocess

        inprocess.start_if_wanted()
