from django.dispatch import Signal

# Sent after commit whenever values were written.
# kwargs: element_ids, orgunit_ids, period_ids (sets of primary keys).
values_changed = Signal()
