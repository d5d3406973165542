from django.apps import AppConfig

from govit.projects import hooks


class DocumentsConfig(AppConfig):
    name = "govit.documents"
    verbose_name = "材料"

    def ready(self) -> None:
        """A step's materials and the versions a submission carries (projects/hooks.py)."""
        # deferred: materials imports models, which exist only once the app registry is ready
        from govit.documents import materials

        hooks.value("step_materials", materials.step_materials)
        hooks.value("missing_materials", materials.missing_materials)
        hooks.value("document_versions", materials.project_versions)
