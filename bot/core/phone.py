"""Turn a phone number as people type it into E.164, or a reason the bot can explain kindly."""

from __future__ import annotations

from enum import StrEnum

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

# Separators people and phone apps put between digits; anything else (letters, emoji) is refused
# because phonenumbers would otherwise quietly turn "1-800-FLOWERS" style letters into digits.
_SEPARATORS = frozenset(" \t\u00a0-\u2010\u2011\u2012\u2013\u2014.()[]/")
# Below this many digits a number without a country code cannot be real anywhere we serve, so
# "too short" is more helpful than asking for a country code.
_MIN_DIGITS_WITHOUT_COUNTRY = 7
# Longer than any E.164 number plus trunk and international prefixes; stops pathological input
# from reaching the parser.
_MAX_DIGITS = 20
# Display only: keep the country and the last digits so people recognise their own number.
_MASK = "•••"
_VISIBLE_TAIL = 3


class PhoneRefusal(StrEnum):
    """Why a typed phone number was not accepted; each maps to a kind sentence in the bot's data.

    A StrEnum is also a ``str``, so check ``isinstance(result, PhoneRefusal)`` before treating
    a result of normalize_phone as a number.
    """

    NO_COUNTRY_CODE = "no_country_code"
    NOT_A_NUMBER = "not_a_number"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    INVALID = "invalid"


def normalize_phone(text: str, default_region: str | None) -> str | PhoneRefusal:
    """Return the number in E.164 form, or the reason it was refused."""
    # default_region is an ISO 3166 code such as "GB"; unknown codes count as no region.
    cleaned = text.strip()
    if cleaned[:4].lower() == "tel:":
        cleaned = cleaned[4:].strip()
    body = cleaned[1:] if cleaned.startswith("+") else cleaned
    if not body or any(not (ch.isdecimal() or ch in _SEPARATORS) for ch in body):
        return PhoneRefusal.NOT_A_NUMBER
    digits = sum(ch.isdecimal() for ch in body)
    if digits == 0:
        return PhoneRefusal.NOT_A_NUMBER
    if digits > _MAX_DIGITS:
        return PhoneRefusal.TOO_LONG

    region = default_region.upper() if default_region else None
    if region not in phonenumbers.SUPPORTED_REGIONS:
        region = None

    international = _as_international(cleaned)
    if region is not None and international is not None:
        # The region's own exit code wins (Australia dials out with 0011, so "0011 44 ..." must
        # not become "+11 44 ..."); only fall back to reading "00" as "+" when that fails.
        national_try = _parse(cleaned, region)
        if not isinstance(national_try, PhoneRefusal):
            return national_try
    if international is not None:
        cleaned = international
    if not cleaned.startswith("+") and region is None:
        if digits < _MIN_DIGITS_WITHOUT_COUNTRY:
            return PhoneRefusal.TOO_SHORT
        return PhoneRefusal.NO_COUNTRY_CODE
    return _parse(cleaned, region)


def _as_international(cleaned: str) -> str | None:
    """Rewrite a leading "00" exit code as "+", or return None when there is none."""
    if cleaned.startswith("00"):
        return "+" + cleaned[2:]
    return None


def _parse(cleaned: str, region: str | None) -> str | PhoneRefusal:
    """Parse with phonenumbers and translate its verdict into E.164 or a refusal."""
    try:
        number = phonenumbers.parse(cleaned, region)
    except NumberParseException as exc:
        digits = sum(ch.isdecimal() for ch in cleaned)
        return _refusal_for_parse_error(exc, has_plus=cleaned.startswith("+"), digits=digits)
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return _refusal_for_invalid(number)


def _refusal_for_parse_error(
    exc: NumberParseException, *, has_plus: bool, digits: int
) -> PhoneRefusal:
    """Map a phonenumbers parse error onto the reasons the bot knows how to explain."""
    if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
        # With a "+" the person did give a country code, it just does not exist.
        return PhoneRefusal.INVALID if has_plus else PhoneRefusal.NO_COUNTRY_CODE
    if exc.error_type in (
        NumberParseException.TOO_SHORT_AFTER_IDD,
        NumberParseException.TOO_SHORT_NSN,
    ):
        return PhoneRefusal.TOO_SHORT
    if exc.error_type == NumberParseException.TOO_LONG:
        return PhoneRefusal.TOO_LONG
    if digits < _MIN_DIGITS_WITHOUT_COUNTRY:
        # Letters were already refused, so "not a number" here means too few digits (e.g. "+44").
        return PhoneRefusal.TOO_SHORT
    return PhoneRefusal.NOT_A_NUMBER


def _refusal_for_invalid(number: phonenumbers.PhoneNumber) -> PhoneRefusal:
    """Say whether a parsed but invalid number is short, long, or simply not a real number."""
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.INVALID_LENGTH:
        # The country allows lengths on both sides of this one; mobile lengths are the best guess
        # at what the person meant to type.
        reason = phonenumbers.is_possible_number_for_type_with_reason(
            number, PhoneNumberType.MOBILE
        )
    if reason in (ValidationResult.TOO_SHORT, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        return PhoneRefusal.TOO_SHORT
    if reason == ValidationResult.TOO_LONG:
        return PhoneRefusal.TOO_LONG
    return PhoneRefusal.INVALID


def mask_phone(e164: str) -> str:
    """Return a display form such as "+44 ••• ••• 456" that keeps only country and last digits."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        # Never echo something we could not understand: it may be a whole number in another form.
        return _MASK
    national = phonenumbers.national_significant_number(number)
    if len(national) < 2 * _VISIBLE_TAIL:
        return f"+{number.country_code} {_MASK}"
    return f"+{number.country_code} {_MASK} {_MASK} {national[-_VISIBLE_TAIL:]}"
