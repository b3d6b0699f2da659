"""Nothing of this app is registered in /admin/: it is case content, which no administrator
role reads (三权分立, see sanxiang/accounts/backends.py). Staff read it through the scoped
selectors, which log every access."""
