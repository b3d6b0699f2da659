"""Remove the clear-text tokens of rest_framework.authtoken (no longer installed).

Deployments from before hashed API tokens still hold every token in clear in authtoken_token;
those tokens no longer authenticate, and the table is dropped so they cannot leak either
(剩余信息保护). A database that never had it is untouched.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_security_roles_password_state_history_tokens"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
