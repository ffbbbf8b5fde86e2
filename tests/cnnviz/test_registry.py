from dataclasses import dataclass

import pytest

from cnnviz.errors import InputError
from cnnviz.registry import Entry, Registry


@dataclass(frozen=True)
class Thing(Entry):
    size: int = 0


def test_registry_keeps_order_and_gets_by_key():
    reg = Registry[Thing]("thing")
    a = reg.register(Thing("a", "A", size=1))
    reg.register(Thing("b", "B", size=2))
    assert reg.get("a") is a
    assert reg.keys() == ["a", "b"]
    assert [t.key for t in reg.available(lambda t: t.size > 1)] == ["b"]
    assert "a" in reg and "z" not in reg and len(reg) == 2


def test_unknown_key_lists_the_choices():
    reg = Registry[Thing]("thing")
    reg.register(Thing("a", "A"))
    with pytest.raises(InputError, match="Unknown thing 'z'; choose one of: a"):
        reg.get("z")


def test_twice_and_non_entries_are_refused():
    reg = Registry[Thing]("thing")
    reg.register(Thing("a", "A"))
    with pytest.raises(ValueError, match="twice"):
        reg.register(Thing("a", "again"))
    with pytest.raises(TypeError):
        reg.register("a")  # type: ignore[arg-type]


def test_entries_are_frozen():
    with pytest.raises(AttributeError):
        Thing("a", "A").key = "b"  # type: ignore[misc]
