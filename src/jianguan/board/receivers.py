"""The board listens to the draw (sampling.signals); sampling knows nothing of the board."""

from django.dispatch import receiver

from jianguan.sampling import signals

from . import services

_ON_FINISH = {
    signals.DRAWN: services.draw_made,
    signals.SUPERSEDED: services.draw_superseded,
    signals.INFEASIBLE: services.draw_failed,
}


@receiver(signals.commitment_made, dispatch_uid="board.commitment_made")
def on_commitment(sender, draw, **kwargs):
    services.commitment_made(draw)


@receiver(signals.draw_finished, dispatch_uid="board.draw_finished")
def on_finished(sender, draw, outcome, **kwargs):
    _ON_FINISH[outcome](draw)
