"""The states of a delivery week and the moves between them (pure; `app/services/weeks.py` applies
them and records who and why).

    draft -> offers_open -> orders_open -> closed -> planned -> published -> delivered
                  ^              ^            |         |
                  +--------------+---(reopen, coordinator only)
"""

from __future__ import annotations

from enum import StrEnum


class WeekState(StrEnum):
    DRAFT = "draft"
    OFFERS_OPEN = "offers_open"
    ORDERS_OPEN = "orders_open"
    CLOSED = "closed"
    PLANNED = "planned"
    PUBLISHED = "published"
    DELIVERED = "delivered"


class InvalidTransition(Exception):
    """A week state change that the cycle does not allow."""

    def __init__(self, from_state: WeekState | str, to_state: WeekState | str, reason: str) -> None:
        self.from_state = from_state
        self.to_state = to_state
        super().__init__(f"cannot move a week from {from_state!s} to {to_state!s}: {reason}")


_FORWARD: dict[WeekState, WeekState] = {
    WeekState.DRAFT: WeekState.OFFERS_OPEN,
    WeekState.OFFERS_OPEN: WeekState.ORDERS_OPEN,
    WeekState.ORDERS_OPEN: WeekState.CLOSED,
    WeekState.CLOSED: WeekState.PLANNED,
    WeekState.PLANNED: WeekState.PUBLISHED,
    WeekState.PUBLISHED: WeekState.DELIVERED,
}
_REOPEN: dict[WeekState, frozenset[WeekState]] = {
    WeekState.CLOSED: frozenset({WeekState.ORDERS_OPEN, WeekState.OFFERS_OPEN}),
    WeekState.PLANNED: frozenset({WeekState.ORDERS_OPEN, WeekState.OFFERS_OPEN}),
}

#: The deadline whose passing moves a week out of each state (the last one is not a schedule
#: setting: it is midnight after the last delivery day).
DEADLINE_LEAVING: dict[WeekState, str] = {
    WeekState.DRAFT: "offers_open",
    WeekState.OFFERS_OPEN: "offers_close",
    WeekState.ORDERS_OPEN: "orders_close",
    WeekState.CLOSED: "planning",
    WeekState.PLANNED: "publish",
    WeekState.PUBLISHED: "delivered",
}
DEADLINE_NAMES: tuple[str, ...] = ("offers_open", "offers_close", "orders_close", "planning", "publish")


def _state(value: WeekState | str) -> WeekState:
    try:
        return WeekState(value)
    except ValueError:
        allowed = ", ".join(s.value for s in WeekState)
        raise ValueError(f"unknown week state {value!r}: expected one of {allowed}") from None


def next_state(state: WeekState | str) -> WeekState | None:
    """The forward successor of ``state``; None once delivered."""
    return _FORWARD.get(_state(state))


def allowed_transitions(state: WeekState | str, *, reopen: bool = False) -> frozenset[WeekState]:
    """States reachable from ``state``: the forward step, plus the reopenings if ``reopen``."""
    s = _state(state)
    out = {_FORWARD[s]} if s in _FORWARD else set()
    if reopen:
        out |= _REOPEN.get(s, frozenset())
    return frozenset(out)


def is_reopen(state: WeekState | str, to: WeekState | str) -> bool:
    return _state(to) in _REOPEN.get(_state(state), frozenset())


def transition(state: WeekState | str, to: WeekState | str, *, reopen: bool = False) -> WeekState:
    """Check one state change and return the new state.

    Forward steps are one at a time. A reopening (closed/planned back to orders_open or
    offers_open) needs ``reopen=True``: only a coordinator may ask for it, and the caller
    records who and why (``WeekEvent``). The scheduler never passes ``reopen``.
    """
    s, t = _state(state), _state(to)
    if t is _FORWARD.get(s):
        return t
    if t in _REOPEN.get(s, frozenset()):
        if not reopen:
            raise InvalidTransition(s, t, "a reopening must be asked for explicitly by a coordinator")
        return t
    if s is t:
        raise InvalidTransition(s, t, "the week is already in that state")
    expected = _FORWARD.get(s)
    hint = f"the next state is {expected.value}" if expected else "a delivered week is final"
    raise InvalidTransition(s, t, hint)


def reopen(state: WeekState | str, to: WeekState | str) -> WeekState:
    """A coordinator's reopening; see :func:`transition`."""
    if not is_reopen(state, to):
        raise InvalidTransition(
            state, to, "only a closed or planned week can be reopened, to orders_open or offers_open"
        )
    return transition(state, to, reopen=True)
