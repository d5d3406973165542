from django.apps import AppConfig

from govit.contracts import hold_sources
from govit.projects import hooks


class DeliveryConfig(AppConfig):
    name = "govit.delivery"
    verbose_name = "建设、验收与运行"

    def ready(self) -> None:
        """Plug construction, acceptance, obligations and the unit's record into the workflow
        (projects/hooks.py) and the rectification's hold into payments (contracts/hold_sources.py).
        Hooks of one moment run in the order registered here."""
        # deferred: steps and selectors import models, which exist only once the registry is ready
        from govit.delivery import selectors, steps

        acceptance, rectifiable = steps.ACCEPTANCE_KINDS, steps.RECTIFIABLE_KINDS
        hooks.on_step("opened", "construction", steps.on_construction_opened)
        hooks.on_step("before_submit", "contract_filing", steps.require_main_contract)
        hooks.on_step("before_submit", acceptance, steps.require_application_in_time)
        hooks.on_step("before_submit", rectifiable, steps.close_rectification)
        hooks.on_step("before_complete", "procurement", steps.require_procurement)
        hooks.on_step("before_complete", "construction", steps.require_construction_complete)
        hooks.on_step("before_complete", acceptance, steps.require_unit_application_in_time)
        hooks.on_step("before_complete", "self_evaluation", steps.require_self_evaluation)
        hooks.on_step("before_complete", "post_evaluation", steps.require_post_evaluation)
        hooks.on_step("before_complete", hooks.ANY_KIND, steps.require_expert_meeting)
        hooks.on_step("before_complete", "om_report", steps.fulfil_om_report)
        hooks.on_step("after_pass", "construction", steps.construction_done)
        hooks.on_step("after_pass", acceptance, steps.accepted)
        hooks.on_step("returned", rectifiable, steps.on_return)
        hooks.value("carried_due", steps.carried_due)
        for name, shortfalls in selectors.UNIT_RECORD.items():
            hooks.requirement(name, shortfalls)
        hold_sources.register(selectors.rectification_holds)
