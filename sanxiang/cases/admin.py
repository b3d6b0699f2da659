from django.contrib import admin

from sanxiang.cases.models import Case, CaseEvent, Decision, Party
from sanxiang.common.admin import ReadOnlyAdmin

admin.site.register(Case, ReadOnlyAdmin)
admin.site.register(CaseEvent, ReadOnlyAdmin)
admin.site.register(Decision, ReadOnlyAdmin)
admin.site.register(Party, ReadOnlyAdmin)
