from django.dispatch import Signal

# Sent after indicator values were recomputed. kwargs: indicator_ids, orgunit_ids, period_ids (sets).
indicator_values_changed = Signal()
