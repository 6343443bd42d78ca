"""Numbers made fit to show: solver noise rounded to zero, no ``-0``.

An LP solution carries round-off such as 1e-13 GW or -0.0 where the answer is 0; shown as it is, it
becomes a ``-0.00`` in a table or an axis labelled 0.000000000000010. :func:`clean_noise` sets
values that are noise to exactly 0 (relative to the largest value of the array, or absolutely tiny)
and turns ``-0.0`` into ``0.0``; NaN stays NaN.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np

#: A value is noise when its magnitude is below this share of the largest magnitude around it...
RELATIVE_NOISE = 1e-9
#: ... or below this absolutely (model units: GW, TWh, Mt, USD/MWh, g/kWh: nothing real is smaller).
ABSOLUTE_NOISE = 1e-9

T = TypeVar("T")


def clean_noise(values: T, relative: float = RELATIVE_NOISE, absolute: float = ABSOLUTE_NOISE) -> T:
    """``values`` (a number, numpy array, pandas or xarray object of numbers) with noise set to 0:
    every value whose magnitude is below ``max(absolute, relative x the largest magnitude)``; the
    result has no ``-0.0``. Non-numeric pandas columns pass through unchanged."""
    import pandas as pd

    if isinstance(values, pd.DataFrame):
        out = values.copy()
        for col in out.columns:
            if pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
                out[col] = clean_noise(out[col], relative, absolute)
        return out  # type: ignore[return-value]
    if isinstance(values, int | float | np.floating | np.integer):
        v = float(values)
        return (0.0 if abs(v) < absolute else v + 0.0) if np.isfinite(v) else v  # type: ignore[return-value]
    array = np.asarray(values, dtype=float)
    finite = np.abs(array[np.isfinite(array)])
    scale = float(finite.max()) if finite.size else 0.0
    noise = np.abs(array) < max(absolute, relative * scale)
    cleaned = np.where(noise, 0.0, array) + 0.0
    if isinstance(values, pd.Series):
        return pd.Series(cleaned, index=values.index, name=values.name)  # type: ignore[return-value]
    if hasattr(values, "copy") and hasattr(values, "dims"):  # an xarray DataArray
        return values.copy(data=cleaned)  # type: ignore[attr-defined]
    return cleaned  # type: ignore[return-value]
