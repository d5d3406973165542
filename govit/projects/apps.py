from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "govit.projects"
    verbose_name = "项目与流程"
