"""Design matrices for the Cox models (treatment coding, R's factor order)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import require_columns

__all__: list[str] = []


def design_matrix(data: pd.DataFrame, covariates, *, arg: str = "covariates") -> pd.DataFrame:
    """Numeric covariates as they are; text/categorical/bool ones dummy-coded.

    The reference level is the first in sorted order (R's default for a
    factor built from a character vector); a dummy is named ``column[level]``.
    """
    covariates = list(covariates)
    require_columns(data, **{f"{arg}[{i}]": c for i, c in enumerate(covariates)})
    parts = []
    for col in covariates:
        s = data[col]
        if s.isna().any():
            raise ValueError(
                f"column {col!r} (in {arg}=) has {int(s.isna().sum())} missing values; "
                "impute them or drop those rows before fitting"
            )
        if pd.api.types.is_bool_dtype(s):
            parts.append(s.astype(float).rename(col))
        elif pd.api.types.is_numeric_dtype(s):
            parts.append(s.astype(float).rename(col))
        else:
            codes, uniq = pd.factorize(s)  # one pass over the values, then integer comparisons
            levels = sorted(uniq, key=str)
            if len(levels) < 2:
                raise ValueError(f"column {col!r} (in {arg}=) has a single level {levels!r}; leave it out")
            where = {lev: k for k, lev in enumerate(uniq)}
            for lev in levels[1:]:
                parts.append(pd.Series((codes == where[lev]).astype(float), index=data.index,
                                       name=f"{col}[{lev}]"))
    x = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=data.index)
    const = [c for c in x.columns if np.ptp(x[c].to_numpy()) == 0]
    if const:
        raise ValueError(f"covariate column(s) {const} are constant in the data; leave them out of {arg}=")
    return x
