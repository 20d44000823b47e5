"""Thin Celery task of the dashboard: the refresh of its precomputed figures (celery beat)."""

from celery import shared_task

from . import services


@shared_task(name="dashboard.refresh", acks_late=True)
def dashboard_refresh() -> dict[str, int]:
    """Recomputes every figure of every district; idempotent."""
    return services.figures_refresh()
