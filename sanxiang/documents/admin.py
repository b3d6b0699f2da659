from django.contrib import admin

from sanxiang.common.admin import ReadOnlyAdmin
from sanxiang.documents.models import Document

admin.site.register(Document, ReadOnlyAdmin)
