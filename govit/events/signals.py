"""What the event log tells the layers above it. The recorder sends; kept reads (govit/kept)
listen: the log names none of them."""

from django.dispatch import Signal

# Events were recorded (``services.record``, ``EventBatch.flush``), inside the writer's
# transaction. ``where``: the (jurisdiction id, project id) they were recorded at, None for
# outside any — what was read from there is stale.
data_changed = Signal()
