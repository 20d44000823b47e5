from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "openimis.common"
    label = "common"
    verbose_name = "Common"
