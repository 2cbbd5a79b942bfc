"""The trail cannot be edited or deleted from the app (issue 4 §3).

The models and their querysets already refuse `save()` of an existing row, `update()` and
`delete()`. These receivers close the remaining doors for both models: an instance `delete()` of
a ProfileView and deletions cascading from another model go through the collector, which fires
pre_delete but calls no model method.
"""

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from .models import AuditRecord, ProfileView

APPEND_ONLY = (AuditRecord, ProfileView)


@receiver(pre_save, dispatch_uid="audit_append_only_save")
def _refuse_change(sender, instance, raw=False, **kwargs):
    # `raw` is a fixture load (restore from a JSON backup): rows are written as they were.
    if sender in APPEND_ONLY and not raw and not instance._state.adding:
        raise PermissionError("Audit records cannot be changed")


@receiver(pre_delete, dispatch_uid="audit_append_only_delete")
def _refuse_delete(sender, instance, **kwargs):
    if sender in APPEND_ONLY:
        raise PermissionError("Audit records cannot be deleted")
