"""What supervision tells the apps above it: contracts withholds or releases payments when a
stop-funds order is imposed or lifted, without supervision importing contracts."""

from django.dispatch import Signal

# sent inside the transaction of penalty_impose / penalty_lift when a measure that withholds
# payments starts or ends; keyword arguments: project, actor, penalty
penalty_changed = Signal()
