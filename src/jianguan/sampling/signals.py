"""What the draw tells the rest of jianguan, without importing it (the public board listens).

Both are sent inside the transaction that records the step, with sender=Draw:

- commitment_made(draw): the rosters are frozen and the commitment is made (before any
  randomness exists).
- draw_finished(draw, outcome): outcome "drawn" (result and proof written), "infeasible" (no
  result; the secret is revealed so anyone can recheck the failure) or "superseded" (sent for the
  old draw when its re-draw is made).
"""

from django.dispatch import Signal

commitment_made = Signal()
draw_finished = Signal()

DRAWN, INFEASIBLE, SUPERSEDED = "drawn", "infeasible", "superseded"
