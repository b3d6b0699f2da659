"""System checks of the ledger, run by Django at the start of serve, worker, migrate and `check`.

E001 — checkpoints exist that the configured key did not sign (or the key file is gone): the
application refuses to start instead of signing on with a new key, which would make every old
checkpoint fail (restore the original key from the backup, see README "Backup and restore").
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register


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
    """E002 — a SANXIANG_WITNESSES entry is not "<URL> <witness vkey>"."""
    from sanxiang.ledger import note
    from sanxiang.ledger.witnessing import parse_witness_setting

    errors = []
    for spec in settings.LEDGER_WITNESSES:
        try:
            parse_witness_setting(spec)
        except note.NoteError as exc:
            errors.append(Error(f"SANXIANG_WITNESSES 中的见证者配置无效：{exc}",
                                hint="每项为 \"<URL> <见证者 vkey>\"，vkey 由 sanxiang witness --print-vkey 打印。",
                                id="sanxiang.ledger.E002"))
    return errors
