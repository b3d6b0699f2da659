from django.contrib import admin

from sanxiang.cases.models import Case, CaseEvent, CaseParty, Decision, DecisionParty, Party, PartyName
from sanxiang.common.admin import ReadOnlyAdmin

admin.site.register(Case, ReadOnlyAdmin)
admin.site.register(CaseEvent, ReadOnlyAdmin)
admin.site.register(Decision, ReadOnlyAdmin)
# Parties change only through cases.parties (reuse, party_update_details, party_rename): read-only here.
admin.site.register(Party, ReadOnlyAdmin)
admin.site.register(PartyName, ReadOnlyAdmin)
admin.site.register(CaseParty, ReadOnlyAdmin)
admin.site.register(DecisionParty, ReadOnlyAdmin)
