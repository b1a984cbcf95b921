from celery import shared_task

from indicators.services import indicator_values_refresh, refresh_for_change


@shared_task
def refresh_for_change_task(element_ids: list[int], orgunit_ids: list[int], period_ids: list[int]) -> int:
    return refresh_for_change(element_ids=element_ids, orgunit_ids=orgunit_ids, period_ids=period_ids)


@shared_task
def refresh_all_task() -> int:
    return indicator_values_refresh()
