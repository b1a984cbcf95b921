from django.dispatch import Signal

# Sent after commit whenever values were written.
# kwargs: element_ids, orgunit_ids, period_ids, dataset_ids (sets of primary keys; dataset_ids: the elements' datasets).
values_changed = Signal()
