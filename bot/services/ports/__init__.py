"""The ports the services need, as small Protocols the adapters satisfy.

One module per seam: `source` (calls from Wolkvox), `store` (persistence, in domain
objects), `clock`, `presenter` (rendering). The names most services use are re-exported
here; the store's types are imported from `bot.services.ports.store`.
"""

from bot.services.ports.clock import Clock
from bot.services.ports.presenter import (
    AlertPresenter,
    DigestPresenter,
    NotePresenter,
    Presenter,
    RemovedRulePresenter,
    RenderedMessage,
)
from bot.services.ports.source import CallSource, FetchedCalls, SourceError

__all__ = [
    "AlertPresenter",
    "CallSource",
    "Clock",
    "DigestPresenter",
    "FetchedCalls",
    "NotePresenter",
    "Presenter",
    "RemovedRulePresenter",
    "RenderedMessage",
    "SourceError",
]
