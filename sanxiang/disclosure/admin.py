from django.contrib import admin

from sanxiang.common.admin import ReadOnlyAdmin
from sanxiang.disclosure.models import Publication

admin.site.register(Publication, ReadOnlyAdmin)
