"""Reading ids from query strings and forms: one rule for every page."""

MAX_ID_DIGITS = 18  # anything longer is no row of ours (and would overflow a bigint)


def id_param(value) -> int | None:
    """The id in `value` when it is plain ASCII digits ("12"), else None.

    str.isdigit() also says yes to "²" and "٣", which int() then refuses or reads as a number
    nobody typed: a query string is outside input, so only 0-9 count.
    """
    text = str(value or "").strip()
    if not text or len(text) > MAX_ID_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
