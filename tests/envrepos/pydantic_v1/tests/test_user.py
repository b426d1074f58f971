import pydantic
import pytest

from pydantic_v1_app import User


def test_pydantic_is_v1():
    # pipelinekit runs on pydantic 2: this proves the test environment is isolated from it.
    assert pydantic.VERSION.startswith("1.")


def test_v1_api():
    user = User.parse_obj({"name": "  Ada ", "age": "36"})
    assert user.dict() == {"name": "Ada", "age": 36}
    with pytest.raises(pydantic.ValidationError):
        User(name=" ", age=1)
