"""Public service functions are keyword-only after their first parameter (the actor or the
object acted on): `services.task_save(user, definition=…)`, `sampling.services.execute(draw,
user=…)`. A call cannot swap two arguments of the same type unnoticed (docs/architecture.md,
"Writes and audit"; issue 13).

`core.services` is not a domain's services module: it holds the small helpers every service
uses (`require`, `require_unit`, `snapshot`, `apply`), positional by design.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import jianguan

HELPERS = {"jianguan.core.services"}


def _public_service_functions():
    for info in pkgutil.walk_packages(jianguan.__path__, "jianguan."):
        if not info.name.endswith(".services") or info.name in HELPERS:
            continue
        module = importlib.import_module(info.name)
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn):
                continue
            if fn.__module__ == module.__name__:  # defined here, not imported
                yield f"{info.name}.{name}", inspect.signature(inspect.unwrap(fn))


def _positional(signature: inspect.Signature) -> list[str]:
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in signature.parameters.values() if p.kind in kinds]


def test_every_public_service_function_is_keyword_only_after_its_first_parameter():
    functions = dict(_public_service_functions())
    assert len(functions) > 100  # every app's services were found
    offenders = {name: str(sig) for name, sig in functions.items() if len(_positional(sig)) > 1}
    assert offenders == {}


def test_the_check_sees_a_positional_signature():
    def positional(user, task, data):  # the shape this test refuses
        pass

    def keyword_only(user, *, task, data):
        pass

    assert _positional(inspect.signature(positional)) == ["user", "task", "data"]
    assert _positional(inspect.signature(keyword_only)) == ["user"]
