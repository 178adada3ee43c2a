import pytest
from django.core.exceptions import ValidationError

from sandan.registry.tests.factories import valid_business_number
from sandan.registry.validators import validate_business_number, validate_corporate_number


@pytest.mark.parametrize("number", ["220-81-62517", "124-81-00998", "1208147521"])
def test_real_business_numbers_are_accepted(number: str) -> None:
    validate_business_number(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [("220-81-62518", "checksum"), ("12345", "length"), ("000-00-00000", "component")],
)
def test_bad_business_numbers_are_rejected_with_a_reason(number: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_business_number(number)
    assert info.value.code == code


def test_generated_numbers_carry_a_valid_check_digit() -> None:
    for seed in range(200):
        validate_business_number(valid_business_number(seed))


def test_corporate_number_check_digit() -> None:
    validate_corporate_number("110111-0672538")  # a published 법인등록번호 format
    with pytest.raises(ValidationError):
        validate_corporate_number("110111-0672539")
