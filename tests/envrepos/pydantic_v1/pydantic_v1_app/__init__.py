"""A pydantic 1.x model: the code under test of this golden repository."""

from pydantic import BaseModel, validator


class User(BaseModel):
    name: str
    age: int

    @validator("name")
    def name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("blank name")
        return value.strip()
