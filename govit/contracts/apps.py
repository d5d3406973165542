from django.apps import AppConfig

from govit.projects import hooks
from govit.supervision.signals import penalty_changed


class ContractsConfig(AppConfig):
    name = "govit.contracts"
    verbose_name = "采购、合同、支付与变更"

    def ready(self) -> None:
        """The contract amount and agreed changes the workflow's facts read (projects/hooks.py);
        payments withheld or released as a stop-funds order is imposed or lifted."""
        # deferred: selectors and holds import models, which exist only once the registry is ready
        from govit.contracts import holds, selectors

        hooks.value("contract_amount", selectors.effective_contract_amount)
        hooks.value("agreed_changes", selectors.agreed_changes)
        penalty_changed.connect(holds.penalty_changed, dispatch_uid="contracts.penalty_holds")
