"""What the inspections app tells others, without knowing them.

`inspection_confirmed` is sent inside the confirming transaction, after the record became final
and its follow-ups opened: a receiver that fails rolls the confirmation back with it. Receivers:
`publication.signals` (a task whose visits are now all confirmed gets its publication opened).
"""

from django.dispatch import Signal

# kwargs: inspection, visit (the host visit), user (who confirmed), on (the day of the check)
inspection_confirmed = Signal()
