from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "govit.contracts"
    verbose_name = "采购、合同、支付与变更"
