from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sanxiang.accounts"
    verbose_name = "账户与角色"

    def ready(self):
        from sanxiang.accounts import signals  # audit receivers for logins, logouts, lockouts

        signals.connect_admin_log()
