import pytest

from vidclip.segment.evaluate import boundary_prf


@pytest.mark.parametrize(
    "predicted, cuts, gradual, expected",
    [
        pytest.param([], [], [], (1.0, 1.0, 1.0), id="nothing-to-find"),
        pytest.param([10], [], [], (0.0, 0.0, 0.0), id="false-positive-only"),
        pytest.param([], [10], [], (0.0, 0.0, 0.0), id="miss-only"),
        pytest.param([11], [10], [], (1.0, 1.0, 1.0), id="cut-within-one"),
        pytest.param([12], [10], [], (0.0, 0.0, 0.0), id="cut-two-off"),
        pytest.param([25], [], [(20, 30)], (1.0, 1.0, 1.0), id="inside-gradual"),
        pytest.param([30], [], [(20, 30)], (1.0, 1.0, 1.0), id="gradual-end-is-first-clean-frame"),
        pytest.param([32], [], [(20, 30)], (0.0, 0.0, 0.0), id="after-gradual"),
        pytest.param([22, 28], [], [(20, 30)], (0.5, 1.0, 2 / 3), id="two-for-one-gradual"),
    ],
)
def test_boundary_prf(predicted, cuts, gradual, expected):
    assert boundary_prf(predicted, cuts, gradual) == pytest.approx(expected)


def test_matching_is_one_to_one_and_closest_first():
    # 11 is nearer to 10 than 12 is, and 12 then matches the cut at 13.
    assert boundary_prf([11, 12], [10, 13], []) == pytest.approx((1.0, 1.0, 1.0))


def test_tolerance_widens_the_window():
    assert boundary_prf([13], [10], [], tolerance=3)[2] == 1.0
