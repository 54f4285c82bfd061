"""moto's DynamoDB deep-copies the whole table before a transaction (once per item the transaction
names) so that it can roll back when one of them fails: the cost grows with the table, and a 1,000-upload
run spent nearly all its time copying. A transaction can change only the items it names, so copying
those is enough to roll back to exactly the same state; everything else is moto's own code."""

import contextlib
import copy
from collections.abc import Iterator
from typing import Any
from unittest import mock

from moto.dynamodb import models
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

_MOTOS_OWN = models.DynamoDBBackend.transact_write_items

Saved = list[tuple[Table, DynamoType, DynamoType | None, Item | None]]


class _TablesKept:
    """Stands in for the `copy` module inside moto's backend during a transaction: tables are kept
    as they are (their named items are saved instead), anything else is copied as before."""

    @staticmethod
    def deepcopy(value: Any, memo: dict | None = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _named_items(backend: models.DynamoDBBackend, transact_items: list[dict]) -> Saved:
    """A copy of each item the transaction names as it is now (None where there is none yet)."""
    saved: Saved = []
    for entry in transact_items:
        [(kind, operation)] = entry.items()
        table = backend.tables.get(operation["TableName"])
        if table is None:
            continue
        attributes = operation["Item"] if kind == "Put" else operation["Key"]
        hash_key = DynamoType(attributes[table.hash_key_attr])
        range_key = DynamoType(attributes[table.range_key_attr]) if table.range_key_attr else None
        saved.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
    return saved


def _put_back(saved: Saved) -> None:
    # Last saved first: an item named twice ends as it was before the transaction.
    for table, hash_key, range_key, item in reversed(saved):
        table.delete_item(hash_key, range_key)
        if item is not None and range_key is None:
            # A table without a range key holds one item per hash key (moto types it as the other kind).
            table.items[hash_key] = item  # type: ignore[assignment]
        elif item is not None:
            table.items[hash_key][range_key] = item


def _transact_write_items(backend: models.DynamoDBBackend, transact_items: list[dict]) -> None:
    try:
        saved = _named_items(backend, transact_items)
    except (KeyError, TypeError, ValueError):
        # A malformed request: moto's own checks answer it, with its own rollback.
        _MOTOS_OWN(backend, transact_items)
        return
    try:
        with mock.patch.object(models, "copy", _TablesKept):
            _MOTOS_OWN(backend, transact_items)
    except Exception:
        _put_back(saved)
        raise


@contextlib.contextmanager
def rollbacks_of_named_items() -> Iterator[None]:
    with mock.patch.object(models.DynamoDBBackend, "transact_write_items", _transact_write_items):
        yield
