from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "govit.delivery"
    verbose_name = "建设、验收与运行"
