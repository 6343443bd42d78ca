"""Units: one pint registry per set of currency rates, and the model's own units.

Inside the model everything is in GW, GWh, million USD (MUSD) and t CO2/MWh (= kt/GWh), which keeps
HiGHS's coefficients near 1. The loader converts every input with :func:`convert` to the unit its
parameter declares in :mod:`synergy_models.data.schema`; no module multiplies by hand-written factors.
(pint reads ``kt`` as a knot, so emission units are written ``t/MWh`` and ``USD/t``.)
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # pint is imported where a registry is made: the constants below need none
    import pint

#: Hours of a (non-leap) model year: profiles have this many steps, step weights add up to it.
HOURS_PER_YEAR: Final = 8760

# Output units. Inputs and results are in the model's units (GW, GWh, TWh a year, MUSD, Mt); tables,
# charts and indicators show some in others, through these factors only: a value in Y times
# ``X_PER_Y`` is in X; a value in X divided by it is in Y.
#: GWh in a TWh (and GW x h summed over a year -> TWh: divide by it).
GWH_PER_TWH: Final = 1000
#: USD/MWh in a MUSD/GWh (a cost per GWh in the model's units -> USD/MWh: multiply by it).
USD_MWH_PER_MUSD_GWH: Final = 1000
#: USD in a MUSD (annual costs -> USD: multiply by it).
USD_PER_MUSD: Final = 1e6
#: USD in a billion USD (USD -> "USD bn" in tables and charts: divide by it).
USD_PER_USD_BN: Final = 1e9
#: g/kWh in a Mt/TWh (emissions per generation -> carbon intensity in g/kWh: multiply by it).
G_KWH_PER_MT_TWH: Final = 1000


@lru_cache(maxsize=8)
def registry(rates: tuple[tuple[str, float], ...] = ()) -> pint.UnitRegistry:
    """A unit registry with USD as the base currency and ``rates`` as (code, units per USD).

    Cached per set of rates: building a registry takes a noticeable fraction of a second.
    """
    import pint

    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, cache_folder=None)
    ureg.define("USD = [currency] = dollar")
    ureg.define("MUSD = 1e6 * USD")
    for code, per_usd in rates:
        if code == "USD":
            continue
        ureg.define(f"{code} = USD / {per_usd!r}")
    if any(code == "CNY" for code, _ in rates):
        ureg.define("@alias CNY = yuan = RMB")
    return ureg


def parse_unit(ureg: pint.UnitRegistry, unit: str) -> pint.Quantity:
    """Parse a unit string such as ``"EUR/kW"``, ``"1e9 CNY"`` or ``"1"`` into a quantity of 1 unit.

    Raises ``ValueError`` with pint's reason when the string is not a unit.
    """
    import pint

    text = unit.strip()
    if text in ("", "-"):
        raise ValueError("empty unit (write 1 for dimensionless)")
    check_expression(text)
    try:
        q = ureg.parse_expression(text)
    except Exception as err:  # pint raises several unrelated exception types
        raise ValueError(f"not a unit ({type(err).__name__}: {err})") from None
    if not isinstance(q, pint.Quantity):  # a bare number such as "1"
        q = ureg.Quantity(float(q), "")
    return q


#: A number with an underscore in it (``0_23``, ``1_000``), not part of a name (``t_CO2``).
_UNDERSCORE_NUMBER = re.compile(r"(?<![\w.])[0-9][0-9.]*_[0-9_.]*")


#: A power in a unit string and what follows it.
_POWER = re.compile(r"(\*\*|\^)\s*([^\s*/^]*)")
_CHAINED_POWER = re.compile(r"(\*\*|\^)\s*[^\s*/^]*\s*(\*\*|\^)")
#: Largest exponent a unit string may hold (m^3, 10**12...): ``9**9**9`` would take pint hours.
MAX_EXPONENT = 30
#: Longest unit or quantity string read.
MAX_EXPRESSION = 200


def check_expression(text: str) -> None:
    """``ValueError`` for what pint would misread or take too long over in a quantity or unit
    string: a number with an underscore (Python reads ``0_23`` as 23), an exponent that is not a
    plain number of at most :data:`MAX_EXPONENT`, and more than :data:`MAX_EXPRESSION` characters
    (checked before pint evaluates anything)."""
    if len(text) > MAX_EXPRESSION:
        raise ValueError(f"{len(text)} characters; a unit is at most {MAX_EXPRESSION}")
    found = _UNDERSCORE_NUMBER.search(text)
    if found:
        raise ValueError(f"'{found.group()}' is not a number (Python would read it without the "
                         "'_'): write digits only")
    if _CHAINED_POWER.search(text):
        raise ValueError("a power of a power (9**9**9): write one exponent")
    for _, exponent in _POWER.findall(text):
        try:
            ok = abs(float(exponent.strip("()"))) <= MAX_EXPONENT
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"exponent '{exponent}': a power in a unit is a plain number of at "
                             f"most {MAX_EXPONENT} (e.g. m^3)")


def parse_quantity(ureg: pint.UnitRegistry, text: str) -> pint.Quantity:
    """A quantity written as text (``"157.5 USD/MWh"``, ``"1e2"``) after :func:`check_expression`;
    a bare number comes back dimensionless."""
    import pint

    check_expression(text)
    q = ureg.parse_expression(text)
    return q if isinstance(q, pint.Quantity) else ureg.Quantity(float(q), "")


def convert(ureg: pint.UnitRegistry, value: float, unit: str, target: str) -> float:
    """``value`` in ``unit`` expressed in ``target``; ``ValueError`` if the dimensions differ."""
    import pint

    q = parse_unit(ureg, unit) * value
    try:
        return float(q.to(target).magnitude)
    except pint.DimensionalityError:
        raise ValueError(
            f"'{unit}' does not convert to '{target}' "
            f"({q.dimensionality} is not {ureg.parse_expression(target).dimensionality})"
        ) from None
