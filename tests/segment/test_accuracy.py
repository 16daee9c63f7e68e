"""Precision / recall / F1 over a generated set (seeds not used while tuning)."""

import pytest

from tests.segment.shots import boundaries, mixed_montage, run
from vidclip.segment.evaluate import boundary_prf

SEEDS = range(100, 108)


@pytest.mark.slow
def test_f1_over_generated_montages():
    matched = predicted = truths = 0
    for seed in SEEDS:
        m = mixed_montage(seed)
        found = boundaries(run(m)[1])
        _, recall, _ = boundary_prf(found, m.cuts, m.gradual, tolerance=1)
        n = len(m.cuts) + len(m.gradual)
        matched += round(recall * n)
        predicted += len(found)
        truths += n
    precision, recall = matched / predicted, matched / truths
    f1 = 2 * precision * recall / (precision + recall)
    assert truths >= 60
    assert f1 >= 0.97, (precision, recall)
