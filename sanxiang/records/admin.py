from django.contrib import admin

from sanxiang.common.admin import ReadOnlyAdmin
from sanxiang.records.models import Evidence, StoredFile

admin.site.register(Evidence, ReadOnlyAdmin)
admin.site.register(StoredFile, ReadOnlyAdmin)
