"""Mirror each event's policy into DynamoDB, where the guest Lambda reads it (AWS backend).

A signal rather than a service call, so every way of saving an event (dashboard, admin, shell)
mirrors it. It runs inside the save's transaction: if DynamoDB refuses, the save is rolled back
and the two never disagree.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from events.models import Event
from events.selectors import event_policy
from uploads.backends import dynamodb_store, on_aws


@receiver(post_save, sender=Event)
def mirror_policy(sender, instance: Event, **kwargs) -> None:
    if on_aws():
        dynamodb_store().put_policy(event_policy(instance))


@receiver(post_delete, sender=Event)
def remove_policy(sender, instance: Event, **kwargs) -> None:
    if on_aws():
        dynamodb_store().delete_policy(instance.slug)
