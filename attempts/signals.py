"""What the workers announce to the apps above them, which attempts knows nothing of."""
from django.dispatch import Signal

# A build step of `attempt` did not come from the cache: `step` as the builder numbers them. A receiver may answer
# with an event (a dict) to store and stream right after the step's own.
step_missed_cache = Signal()
