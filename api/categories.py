"""Category option combinations (DHIS2's disaggregation) ↔ ours.

The portal has no disaggregation yet: every value is DHIS2's *default* combination. This is the one
place that maps combinations, so categories plug in here when they exist.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

DEFAULT_UID = "HllvX50cXC0"  # DHIS2's uid of the default category option combination (and attribute combination)
DEFAULT_NAMES = {"", "default", DEFAULT_UID.lower()}


class CategoryComboError(ValueError):
    pass


def check_option_combo(value: str | None, *, attribute: bool = False) -> None:
    """Accept the default combination (empty, ``default`` or its uid); refuse any other with a clear message."""
    if (value or "").strip().lower() in DEFAULT_NAMES:
        return
    if attribute:
        raise CategoryComboError(
            _("Attribute option combination %(c)s does not exist here: only the default combination is collected.") % {"c": value}
        )
    raise CategoryComboError(
        _("Category option combination %(c)s does not exist here: values are not disaggregated, only the default combination.")
        % {"c": value}
    )


def export_option_combo() -> str:
    """The combination written on every exported value."""
    return DEFAULT_UID


def check_adx_disaggregation(attributes: dict[str, str]) -> None:
    """ADX names disaggregation as extra attributes on a value (category code = option code); we have none."""
    if attributes:
        names = ", ".join(f"{k}={v}" for k, v in sorted(attributes.items()))
        raise CategoryComboError(_("Disaggregation %(c)s does not exist here: values are not disaggregated.") % {"c": names})
