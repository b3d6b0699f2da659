from django.contrib import admin

from sanxiang.common.admin import ReadOnlyAdmin
from sanxiang.guidance.models import Article, Law

admin.site.register(Law, ReadOnlyAdmin)
admin.site.register(Article, ReadOnlyAdmin)
