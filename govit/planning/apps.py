from django.apps import AppConfig

from govit.projects import hooks


class PlanningConfig(AppConfig):
    name = "govit.planning"
    verbose_name = "年度计划"

    def ready(self) -> None:
        """The plan board follows declarations and stage changes, and the gate a rulebook names
        ``in_annual_plan`` is answered by the plans (projects/hooks.py)."""
        # deferred: selectors import models, which exist only once the app registry is ready
        from govit.planning import selectors

        hooks.listen("board_changed", selectors.board_changed)
        hooks.requirement("in_annual_plan", selectors.not_in_annual_plan)
