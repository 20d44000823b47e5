"""Reading the history that database triggers record (django-pghistory) as changes people can read."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pghistory
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from pghistory.models import Events

from openimis.accounts.models import User


def tracked() -> tuple[pghistory.Tracker, ...]:
    """Fresh insert, update and delete trackers for one model (a tracker instance binds to the first model it is
    used on, so each model needs its own)."""
    return pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent()


HIDDEN_FIELDS = {"id", "uuid", "path", "created_at", "updated_at"}


@dataclass
class Change:
    field: str
    before: Any
    after: Any


@dataclass
class HistoryEntry:
    at: datetime
    action: str
    user: User | None
    context: dict[str, Any]
    changes: list[Change] = field(default_factory=list)


def _display(model: type[models.Model], name: str, value: Any, related: dict[tuple[str, Any], str]) -> Any:
    try:
        f = model._meta.get_field(name)
    except FieldDoesNotExist:  # a column that is no longer a field is shown raw
        return value
    if not isinstance(f, models.Field):
        return value
    if value is None or value == "":
        return "—"
    if isinstance(f, models.ForeignKey):
        return related.get((name, value), value)
    if f.choices:
        return dict(f.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return value


def _label(model: type[models.Model], name: str) -> str:
    try:
        f = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(f.verbose_name) if isinstance(f, models.Field) else name


def history_of(obj: models.Model, *, limit: int = 200) -> list[HistoryEntry]:
    """Newest first: who changed what, from which value to which, for one tracked object."""
    model = type(obj)
    events = list(Events.objects.tracks(obj).order_by("pgh_created_at", "pgh_id"))
    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context and e.pgh_context.get("user")}
    users = {u.pk: u for u in User.objects.filter(pk__in=[int(i) for i in user_ids])}
    related: dict[tuple[str, Any], str] = {}
    for f in model._meta.concrete_fields:
        if isinstance(f, models.ForeignKey):
            ids = {e.pgh_data.get(f.attname) for e in events if e.pgh_data.get(f.attname) is not None}
            for rel in f.related_model._default_manager.filter(pk__in=ids):
                related[(f.attname, rel.pk)] = str(rel)
    position = {f.attname: i for i, f in enumerate(model._meta.concrete_fields)}
    order = {k: position.get(k, len(position)) for e in events for k in e.pgh_data}
    entries: list[HistoryEntry] = []
    previous: dict[str, Any] = {}
    for event in events:
        data = event.pgh_data
        action = event.pgh_label
        keys = sorted(
            (k for k in data if k not in HIDDEN_FIELDS and not k.startswith("pgh_")), key=lambda k: order.get(k, 0)
        )
        if action == "insert":
            changes = [Change(_label(model, k), "—", _display(model, k, data[k], related)) for k in keys]
        elif action == "delete":
            changes = []
        else:
            changes = [
                Change(
                    _label(model, k), _display(model, k, previous.get(k), related), _display(model, k, data[k], related)
                )
                for k in keys
                if previous.get(k) != data[k]
            ]
        context = event.pgh_context or {}
        user_id = context.get("user")
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                action=action,
                user=users.get(int(user_id)) if user_id else None,
                context=context,
                changes=changes,
            )
        )
        previous = data
    entries.reverse()
    return entries[:limit]
