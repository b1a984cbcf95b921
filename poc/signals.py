from django.dispatch import Signal

# Sent inside the import's transaction after org units were created or updated, so that derived
# data (e.g. simplified map boundaries) changes with them, all-or-nothing. kwargs: orgunit_ids (list).
orgunits_imported = Signal()
