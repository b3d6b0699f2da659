from django.contrib import admin

from sanxiang.common.admin import ReadOnlyAdmin
from sanxiang.records.models import Evidence, StoredFile, UploadSession

admin.site.register(Evidence, ReadOnlyAdmin)
admin.site.register(StoredFile, ReadOnlyAdmin)
admin.site.register(UploadSession, ReadOnlyAdmin)
