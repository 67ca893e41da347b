"""What spans operations and rules: opt-in rules, `skills` polling and the shared budget.

An opt-in rule (`opt_in: true`, like the shipped `service-level`) watches only the
operations that name it in their `opt_in`. Once every rule knows its operations, an
operation watched by a `queue` rule polls `skills` too (every `skills_every`), and
the daily budget is checked with that line: alone, and summed with the operations
that share its token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.config.budget import token_budgets
from bot.config.errors import ProblemList
from bot.config.fields import did_you_mean
from bot.config.model import OperationSettings
from bot.domain.specs import RuleKind, RuleSpec


def resolve_opt_in(
    operations: Sequence[OperationSettings], rules: Sequence[RuleSpec], problems: ProblemList
) -> tuple[tuple[OperationSettings, ...], tuple[RuleSpec, ...]]:
    """Each opt-in rule narrowed to the operations that opt in (none: it watches none),
    each operation marked when a queue rule watches it; a name in `opt_in` that is not
    an opt-in rule is a problem of that operation."""
    optional = {rule.name for rule in rules if rule.opt_in}
    for op in operations:
        for position, name in enumerate(op.opt_in):
            if name in optional:
                continue
            if any(rule.name == name for rule in rules):
                message = f"rule {name!r} is not opt-in: it already watches the operations it names"
            else:
                known = ", ".join(sorted(optional)) or "none"
                message = (
                    f"no opt-in rule is named {name!r}{did_you_mean(name, sorted(optional))} "
                    f"(opt-in rules: {known})"
                )
            problems.add(f"operation {op.name!r}", f"opt_in[{position}]", message)
    resolved = tuple(
        replace(rule, operations=_opted(rule, operations)) if rule.opt_in else rule
        for rule in rules
    )
    marked = tuple(
        replace(
            op,
            polls_skills=any(
                rule.kind is RuleKind.QUEUE and rule.applies_to(op.name) for rule in resolved
            ),
        )
        for op in operations
    )
    return marked, resolved


def _opted(rule: RuleSpec, operations: Sequence[OperationSettings]) -> frozenset[str]:
    return frozenset(
        op.name for op in operations if rule.name in op.opt_in and rule.applies_to(op.name)
    )


def check_budgets(operations: Sequence[OperationSettings], problems: ProblemList) -> None:
    """Operations on one token share its allowance: their polling must fit it together,
    and the `skills` polling of queue rules counts. A lone operation whose calls alone
    do not fit was already told so (field poll_every); here it is told when skills
    polling tips it over (field skills_every)."""
    reported: set[tuple[str, ...]] = set()
    for name, budget in token_budgets(operations).items():
        together = budget.operations
        if budget.fits or together in reported:
            continue
        reported.add(together)
        skills = any(line.api == "skills" for line in budget.lines)
        if len(together) > 1:
            if skills and _calls_fit(operations, together):
                # the skills polling tips it over: name an operation that polls skills
                polling = [op.name for op in operations if op.name in together and op.polls_skills]
                problems.add(f"operation {polling[-1]!r}", "skills_every", budget.explain())
            else:
                problems.add(f"operation {together[-1]!r}", "poll_every", budget.explain())
        elif skills and _calls_fit(operations, together):
            problems.add(f"operation {name!r}", "skills_every", budget.explain())


def _calls_fit(operations: Sequence[OperationSettings], names: tuple[str, ...]) -> bool:
    """Whether these operations' calls_last_10 polling alone fits their token."""
    members = [replace(op, polls_skills=False) for op in operations if op.name in names]
    return all(budget.fits for budget in token_budgets(members).values())
