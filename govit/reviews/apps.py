from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "govit.reviews"
    verbose_name = "专家评审"
