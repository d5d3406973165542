from django.apps import AppConfig
from django.core import checks

from govit.projects import hooks


class ProjectsConfig(AppConfig):
    name = "govit.projects"
    verbose_name = "项目与流程"

    def ready(self) -> None:
        # deferred: workflow imports the models, which exist only once the app registry is ready
        from govit.projects import workflow

        for name, shortfalls in workflow.own_requirements().items():
            hooks.requirement(name, shortfalls)
        checks.register(hooks_registered)


def hooks_registered(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """govit.E001: a gate requirement, value or listener the workflow needs that no app registered
    (projects/hooks.py) would fail the first project that reaches it; say so at startup."""
    return [
        checks.Error(
            f"the workflow needs {kind} “{name}”, which no app registered",
            hint="register it in the providing app's AppConfig.ready() (govit/projects/hooks.py)",
            id="govit.E001",
        )
        for kind, name in hooks.missing()
    ]
