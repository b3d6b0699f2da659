from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sanxiang.accounts"
    verbose_name = "账户与角色"

    def ready(self):
        from sanxiang.accounts import signals  # audit receivers for logins, logouts, lockouts

        signals.connect_admin_log()

        # A flow names the roles that may act; the engine refuses a role it does not know.
        from sanxiang.accounts.models import Role
        from sanxiang.cases import engine

        for code, label in Role.choices:
            engine.role(code, label)
