from celery import shared_task

from cockpit.services import warnings_evaluate, warnings_evaluate_for_elements, warnings_evaluate_for_indicators


@shared_task
def evaluate_warnings_task() -> int:
    return warnings_evaluate().opened


@shared_task
def evaluate_for_elements_task(element_ids: list[int], period_ids: list[int], orgunit_ids: list[int] | None = None) -> int:
    return warnings_evaluate_for_elements(element_ids=element_ids, period_ids=period_ids, orgunit_ids=orgunit_ids).opened


@shared_task
def evaluate_for_indicators_task(indicator_ids: list[int], period_ids: list[int], orgunit_ids: list[int] | None = None) -> int:
    return warnings_evaluate_for_indicators(indicator_ids=indicator_ids, period_ids=period_ids, orgunit_ids=orgunit_ids).opened
