"""The contract's error codes: one list, each value its own name, each with what it tells."""

from api.codes import ErrorCode


def test_each_code_is_its_name_and_says_what_it_means() -> None:
    for code in ErrorCode:
        assert code == code.name == code.value == str(code)
        assert code.description.endswith("."), code
