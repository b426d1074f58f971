from importlib.metadata import version

from hashed_app import Stack


def test_push_pop():
    stack = Stack()
    stack.push(1)
    stack.push(2)
    assert stack.pop() == 2
    assert stack.items == [1]


def test_attrs_comes_from_the_compiled_requirements():
    # requirements.in allows any attrs>=21; the hashed requirements.txt pins 22.2.0.
    assert version("attrs") == "22.2.0"
