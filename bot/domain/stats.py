"""Small-sample statistics shared by the rules: the Wilson bound of a rate."""

from __future__ import annotations

import math
from statistics import NormalDist


def wilson_lower_bound(successes: int, trials: int, confidence: float) -> float:
    """Lower end of the two-sided Wilson score interval for successes/trials.

    Small samples get a wide interval: 3 of 12 (25%) has a 90% lower bound of
    about 10%, so it is no evidence of a 15% rate; 30 of 120 (about 19%) is.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    if trials <= 0:
        return 0.0
    z = NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
    p = successes / trials
    z2n = z * z / trials
    centre = p + z2n / 2.0
    margin = z * math.sqrt(p * (1.0 - p) / trials + z2n / (4.0 * trials))
    return max(0.0, (centre - margin) / (1.0 + z2n))
