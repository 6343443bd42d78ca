r"""Storage linked across days (Kotzur et al. 2018): a helper of the storage and hydrogen blocks.

With representative days, a storage that cycles within each day cannot carry energy from a windy
day to a calm one. For a storage flagged inter-day, the level is split in two (Kotzur, Markewitz,
Robinius, Stolten, *Time series aggregation for energy system design: modeling seasonal storage*,
Applied Energy 213 (2018) 123-135; as tsam, PyPSA, Calliope and GenX do):

- the *intra-day* level :math:`e_{p,t}` of the block (``storage.soc``, ``hydrogen.working_stock``)
  starts at 0 at the start of each representative period :math:`p` and is not cyclic; it may be
  negative (the period then ends lower than it began);
- the *inter-day* level :math:`E^{day}_d` is the level at the start of each calendar day
  :math:`d = 0 .. D-1` of the profiles; day :math:`d` is represented by period :math:`p(d)` (the
  inputs' ``day_period``). It moves by the net change of its period over the day,
  :math:`\delta_p = e_{p,\mathrm{last}(p)}`, and the year is cyclic (after the last day comes the
  first): :math:`E^{day}_{d+1} = E^{day}_d + \delta_{p(d)}`.

The level in step :math:`t` of day :math:`d` is :math:`E^{day}_d + e_{p(d),t}`; it must lie in
:math:`[0, \bar E]` for every day and step. Three exact reductions keep the rows few:

- *max/min of the intra-day level*: instead of :math:`2 D T_p` rows (every day times every step of
  its period), the bound uses the highest and lowest intra-day level of each period,
  :math:`e^{max}_p \ge e_{p,t} \ge e^{min}_p`: :math:`E^{day}_d + e^{max}_{p(d)} \le \bar E` and
  :math:`E^{day}_d + e^{min}_{p(d)} \ge 0`. The day's level is in bounds in every step if and only
  if it is at the period's highest and lowest intra-day level; the level at the very start of a
  period (:math:`e = 0`) is one of its states, hence :math:`e^{max}_p \ge 0 \ge e^{min}_p`;
- *runs of days*: consecutive days represented by the same period form a run :math:`j` of
  :math:`n_j` days (365 days of 8 representative days: about 80 runs). Within a run the start
  level is :math:`E_j + i\,\delta_{p_j}`, :math:`i = 0 .. n_j - 1`, linear in :math:`i`, so it is
  in bounds on every day of the run if and only if on its first and last day. The variable
  :math:`E_j` (``level_start``) is the level at the start of the run's first day;
- *the last step of a period*: its level, :math:`E^{day}_d + \delta_{p(d)} = E^{day}_{d+1}`, is
  the start level of the next day, which that day's rows keep in :math:`[0, \bar E]` (since
  :math:`e^{max} \ge 0 \ge e^{min}`), so it needs no ``intra_max_bound`` or ``intra_min_bound``
  row (and :math:`e^{max}, e^{min}` need not cover it).

**Components** (added to the calling block, indexed by its linked keys :math:`k`, e.g. (region,
storage tech), and year :math:`y`)

====================  =====================  ==================================================
symbol                attribute              meaning [unit of the storage: GWh or kt]
====================  =====================  ==================================================
:math:`E_{j}`         ``level_start``        level at the start of run j's first day (>= 0)
:math:`e^{max}_p`     ``intra_max``          highest intra-day level of period p (>= 0)
:math:`e^{min}_p`     ``intra_min``          lowest intra-day level of period p (<= 0)
====================  =====================  ==================================================

.. math::

    E_{k,y,j+1} &= E_{k,y,j} + n_j\, e_{k,y,\mathrm{last}(p_j)}
        \quad (j + 1 \text{ taken modulo the number of runs}) && \text{day\_link} \\
    e_{k,y,t} &\le e^{max}_{k,y,p(t)}, \quad e_{k,y,t} \ge e^{min}_{k,y,p(t)}
        \quad (t \ne \mathrm{last}(p(t)))
        && \text{intra\_max\_bound, intra\_min\_bound} \\
    E_{k,y,j} + i\, e_{k,y,\mathrm{last}(p_j)} + e^{max}_{k,y,p_j} &\le \bar E_{k,y}, \quad
    E_{k,y,j} + i\, e_{k,y,\mathrm{last}(p_j)} + e^{min}_{k,y,p_j} \ge 0,
    \quad i \in \{0, n_j - 1\} && \text{day\_upper, day\_lower}

:math:`\bar E_{k,y}` is the block's room for the storage (energy capacity; for hydrogen the tank
less the backup reserve). Neither storage has self-discharge, so the inter-day level needs no decay
term.

With ``full_year`` resolution every calendar day is its own period and the blocks keep their plain
chronological level, cyclic over the profiles' days (:attr:`ModelData.previous_step`), which the
linking would reproduce exactly (``tests/test_storage_linking.py`` checks both); :func:`links_days`
is then false and nothing is added.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyomo.environ as pyo

from synergy_models.model.data import ModelData


def links_days(d: ModelData) -> bool:
    """Whether flagged storage is linked across days: representative days (with ``full_year``
    every day is its own period and the plain chronological level is already exact)."""
    return d.options.time_resolution != "full_year" and bool(d.day_period)


def period_start_steps(d: ModelData) -> frozenset[int]:
    """The first step of each period (where a linked intra-day level starts from 0)."""
    return frozenset(steps[0] for steps in d.period_steps)


def period_of_step(d: ModelData) -> list[int]:
    """The period of each step."""
    out = [0] * len(d.steps)
    for p, steps in enumerate(d.period_steps):
        for t in steps:
            out[t] = p
    return out


def day_runs(d: ModelData) -> list[tuple[int, int, int]]:
    """Runs of consecutive calendar days represented by the same period: (first day, number of
    days, period), in calendar order."""
    runs: list[tuple[int, int, int]] = []
    for day, p in enumerate(d.day_period):
        if runs and runs[-1][2] == p:
            first, n, _ = runs[-1]
            runs[-1] = (first, n + 1, p)
        else:
            runs.append((day, 1, p))
    return runs


def add_day_linking(b: pyo.Block, m: pyo.ConcreteModel, d: ModelData, keys: Sequence[tuple],
                    level: Callable[[tuple, int, int], Any],
                    room: Callable[[tuple, int], Any]) -> None:
    """Add the inter-day level and its rows to block ``b`` for the linked ``keys``.

    ``level(key, y, t)``: the intra-day level (a Pyomo variable, starting from 0 in each period);
    ``room(key, y)``: the most the level may reach (an expression). Components: ``LINKED``,
    ``RUN``, ``PERIOD`` (sets), ``level_start``, ``intra_max``, ``intra_min`` (variables),
    ``day_link``, ``intra_max_bound``, ``intra_min_bound``, ``day_upper``, ``day_lower``.
    """
    keys = [tuple(k) for k in keys]
    dimen = len(keys[0]) if keys else 1
    b.LINKED = pyo.Set(initialize=[k[0] if dimen == 1 else k for k in keys], dimen=dimen,
                       ordered=True)
    runs = day_runs(d)
    last = [steps[-1] for steps in d.period_steps]
    of_step = period_of_step(d)
    b.RUN = pyo.Set(initialize=range(len(runs)), ordered=True)
    b.PERIOD = pyo.Set(initialize=range(len(d.period_steps)), ordered=True)
    b.level_start = pyo.Var(b.LINKED, m.Y, b.RUN, within=pyo.NonNegativeReals)
    b.intra_max = pyo.Var(b.LINKED, m.Y, b.PERIOD, within=pyo.NonNegativeReals)
    b.intra_min = pyo.Var(b.LINKED, m.Y, b.PERIOD, within=pyo.NonPositiveReals)

    def split(idx: tuple) -> tuple[tuple, int, int]:
        return tuple(idx[:-2]), idx[-2], idx[-1]

    def day_link(b, *idx):
        k, y, j = split(idx)
        _, n, p = runs[j]
        nxt = (j + 1) % len(runs)
        return (b.level_start[(*k, y, nxt)]
                == b.level_start[(*k, y, j)] + n * level(k, y, last[p]))

    b.day_link = pyo.Constraint(b.LINKED, m.Y, b.RUN, rule=day_link)

    def intra_max_bound(b, *idx):
        k, y, t = split(idx)
        return level(k, y, t) <= b.intra_max[(*k, y, of_step[t])]

    def intra_min_bound(b, *idx):
        k, y, t = split(idx)
        return level(k, y, t) >= b.intra_min[(*k, y, of_step[t])]

    # The level at a period's last step is the next day's start level, which that day's rows
    # already keep in [0, room] (intra_max >= 0 >= intra_min): no bound rows there.
    inner = [t for t in d.steps if t not in set(last)]
    b.INNER = pyo.Set(initialize=inner, ordered=True)
    b.intra_max_bound = pyo.Constraint(b.LINKED, m.Y, b.INNER, rule=intra_max_bound)
    b.intra_min_bound = pyo.Constraint(b.LINKED, m.Y, b.INNER, rule=intra_min_bound)
    # Within a run the start level moves linearly, start + i delta_p (i = 0 .. n-1): in bounds on
    # every day of the run if and only if on its first and last day.
    ends = [(j, i) for j, (_, n, _) in enumerate(runs) for i in sorted({0, n - 1})]
    b.RUN_END = pyo.Set(initialize=ends, dimen=2, ordered=True)

    def start_of_day(b, k, y, j, i):
        p = runs[j][2]
        return b.level_start[(*k, y, j)] + (i * level(k, y, last[p]) if i else 0)

    def day_upper(b, *idx):
        k, y, j, i = tuple(idx[:-3]), idx[-3], idx[-2], idx[-1]
        return start_of_day(b, k, y, j, i) + b.intra_max[(*k, y, runs[j][2])] <= room(k, y)

    def day_lower(b, *idx):
        k, y, j, i = tuple(idx[:-3]), idx[-3], idx[-2], idx[-1]
        return start_of_day(b, k, y, j, i) + b.intra_min[(*k, y, runs[j][2])] >= 0

    b.day_upper = pyo.Constraint(b.LINKED, m.Y, b.RUN_END, rule=day_upper)
    b.day_lower = pyo.Constraint(b.LINKED, m.Y, b.RUN_END, rule=day_lower)


def start_levels_by_day(d: ModelData, run_start: np.ndarray, level: np.ndarray) -> np.ndarray:
    """The linked level at the start of each calendar day, (..., run) and (..., step) ->
    (..., day): the run's start plus the days of the run before it times its period's change."""
    last = np.array([steps[-1] for steps in d.period_steps], dtype=int)
    out = np.zeros((*run_start.shape[:-1], len(d.day_period)))
    for j, (first, n, p) in enumerate(day_runs(d)):
        for i in range(n):
            out[..., first + i] = run_start[..., j] + i * level[..., last[p]]
    return out


def mean_start_by_period(d: ModelData, start: np.ndarray) -> np.ndarray:
    """The mean start level of the days each period represents: ``start`` (..., day) ->
    (..., period); 0 for a period that represents no day."""
    day_period = np.asarray(d.day_period)
    n_periods = len(d.period_steps)
    counts = np.bincount(day_period, minlength=n_periods).astype(float)
    sums = np.stack([start[..., day_period == p].sum(axis=-1) for p in range(n_periods)], axis=-1)
    return sums / np.where(counts > 0, counts, 1.0)


def daily_start_levels(d: ModelData, level: np.ndarray, linked: np.ndarray,
                       start: np.ndarray) -> np.ndarray:
    """The level at the start of each calendar day, (..., step) -> (..., day).

    ``level``: the block's level by step (absolute where not linked); ``linked``: (...) bool,
    where ``start`` (..., day) holds the linked level (:func:`start_levels_by_day`). Elsewhere the
    start of day d is the level at the end of the step before the first step of its period (the
    period's own last step when it cycles on itself; the day before for ``full_year``).
    """
    firsts = np.array([d.period_steps[p][0] for p in d.day_period], dtype=int)
    before = np.asarray(d.previous_step, dtype=int)[firsts]
    plain = level[..., before]
    return np.where(linked[..., None], start, plain)


def absolute_levels(d: ModelData, level: np.ndarray, linked: np.ndarray,
                    start: np.ndarray) -> np.ndarray:
    """The level by step, (..., step): where linked, the intra-day level plus the mean start
    level of the days the step's period represents (see :func:`mean_start_by_period`); elsewhere
    ``level`` itself."""
    mean = mean_start_by_period(d, start)[..., period_of_step(d)]
    return np.where(linked[..., None], level + mean, level)
