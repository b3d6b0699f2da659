"""System checks of the ledger, run by Django at the start of serve, worker, migrate and `check`.

E001 — checkpoints exist that the configured key did not sign (or the key file is gone): the
application refuses to start instead of signing on with a new key, which would make every old
checkpoint fail (restore the original key from the backup, see README "Backup and restore").
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def signing_keys_check(app_configs=None, databases=None, **kwargs):
    from sanxiang.ledger import keys

    try:
        problems = keys.key_problems()
    except Exception:  # noqa: BLE001 — no database yet (before migrate) or none reachable: nothing to compare
        return []
    return [Error(problem, hint="恢复签发既有检查点的密钥文件（sanxiang restore 备份目录），或改正 LEDGER_SIGNING_KEY / "
                                "SANXIANG_SM2_KEY。 / Restore the key that signed the existing checkpoints.",
                  id="sanxiang.ledger.E001") for problem in problems]


@register()
def witnesses_check(app_configs=None, **kwargs):
    if settings.LEDGER_WITNESS_URLS:
        return [Warning("SANXIANG_WITNESS_URLS 已设置，但向外部见证方提交检查点尚未实现；目前只写入本地检查点文件。"
                        " / Witness submission is not implemented yet; checkpoints go to the local file only.",
                        id="sanxiang.ledger.W001")]
    return []
