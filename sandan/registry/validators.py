"""Validators for Korean registration numbers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.kr import brn


def normalise_business_number(value: str) -> str:
    """'123-45-67890' → '1234567890' (spaces and hyphens dropped)."""
    text = str(value)
    if text.isascii() and text.isdigit():  # already bare (every stored number, most files)
        return text
    return "".join(ch for ch in text if ch.isdigit() or ch.isalpha())


BUSINESS_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def business_check_digit(first9: str) -> int:
    """The National Tax Service's check digit of a 사업자등록번호.

    python-stdnum's `kr.brn` checks length and the office/type components but not this
    digit, so we add it (weights 1,3,7,1,3,7,1,3,5 plus the tens of 5 x the 9th digit).
    """
    digits = [int(d) for d in first9]
    total = sum(d * w for d, w in zip(digits, BUSINESS_WEIGHTS, strict=True))
    total += digits[8] * 5 // 10
    return (10 - total % 10) % 10


def validate_business_number(value: str) -> None:
    """사업자등록번호: 10 digits, valid components (python-stdnum) and check digit."""
    number = normalise_business_number(value)
    if len(number) != 10 or not number.isdigit():
        raise ValidationError(_("사업자등록번호는 숫자 10자리여야 합니다."), code="length")
    try:
        brn.validate(number)
    except StdnumError as exc:
        raise ValidationError(
            _("사업자등록번호의 구성이 올바르지 않습니다."), code="component"
        ) from exc
    if business_check_digit(number[:9]) != int(number[9]):
        raise ValidationError(_("사업자등록번호의 검증번호가 맞지 않습니다."), code="checksum")


CORPORATE_WEIGHTS = (1, 2) * 6


def corporate_check_digit(first12: str) -> int:
    total = sum(int(d) * w for d, w in zip(first12, CORPORATE_WEIGHTS, strict=True))
    return (10 - total % 10) % 10


def validate_corporate_number(value: str) -> None:
    """법인등록번호: 13 digits, the last a check digit over weights 1,2,1,2,…"""
    if not value:
        return
    number = "".join(ch for ch in str(value) if ch.isdigit())
    if len(number) != 13 or len(number) != len(str(value).replace("-", "").strip()):
        raise ValidationError(_("법인등록번호는 숫자 13자리여야 합니다."), code="length")
    if corporate_check_digit(number[:12]) != int(number[12]):
        raise ValidationError(_("법인등록번호의 검증번호가 맞지 않습니다."), code="checksum")
