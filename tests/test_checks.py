"""demos.checks: the one set of input checks; Korean messages that name the argument and the rule."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from demos import checks, widget


@pytest.mark.parametrize("value", [3, 3.0, np.int64(3), np.float64(3.0), Fraction(3)])
def test_integer_accepts_whole_numbers_of_any_numeric_type(value):
    result = checks.integer(value, "k", low=1)
    assert result == 3 and type(result) is int


@pytest.mark.parametrize("value, kind, fragment", [
    (2.5, ValueError, "정수여야"), (math.nan, ValueError, "정수여야"), (math.inf, ValueError, "정수여야"),
    ("3", TypeError, "정수여야"), (None, TypeError, "정수여야"), ([3], TypeError, "정수여야"),
    (True, TypeError, "True/False가 아니라"), (np.bool_(False), TypeError, "True/False가 아니라"),
])
def test_integer_refuses_what_is_not_a_whole_number(value, kind, fragment):
    with pytest.raises(kind) as info:
        checks.integer(value, "k", low=1)
    assert fragment in str(info.value) and "'k'" in str(info.value)


def test_integer_without_floats_refuses_a_whole_float():
    assert checks.integer(np.int32(4), "커널 크기", low=1, floats=False) == 4
    with pytest.raises(TypeError, match="'커널 크기'은\\(는\\) 정수여야"):
        checks.integer(4.0, "커널 크기", low=1, floats=False)


@pytest.mark.parametrize("bounds, value, message", [
    ({"low": 1}, 0, "'k'은(는) 1 이상이어야 합니다 (입력값: 0)."),
    ({"high": 10}, 11, "'k'은(는) 10 이하여야 합니다 (입력값: 11)."),
    ({"low": 2, "high": 10}, 11, "'k'은(는) 2 이상 10 이하여야 합니다 (입력값: 11)."),
    ({"low": 2, "high": 10}, 1, "'k'은(는) 2 이상 10 이하여야 합니다 (입력값: 1)."),
])
def test_integer_range_message_names_every_bound(bounds, value, message):
    with pytest.raises(ValueError) as info:
        checks.integer(value, "k", **bounds)
    assert str(info.value) == message
    assert checks.integer(bounds.get("low", bounds.get("high")), "k", **bounds) == \
        bounds.get("low", bounds.get("high"))      # the bounds themselves are inside


@pytest.mark.parametrize("bounds, value, message", [
    ({"above": 0}, 0, "'lr'은(는) 0보다 커야 합니다 (입력값: 0)."),
    ({"low": 0}, -0.5, "'lr'은(는) 0 이상이어야 합니다 (입력값: -0.5)."),
    ({"low": 0, "below": 1}, 1, "'lr'은(는) 0 이상 1 미만이어야 합니다 (입력값: 1)."),
    ({"above": 0, "high": 1}, 2, "'lr'은(는) 0보다 크고 1 이하여야 합니다 (입력값: 2)."),
    ({"low": 0}, math.nan, "'lr'은(는) 0 이상이어야 합니다 (입력값: nan)."),   # NaN is told the bound
    ({"low": 0}, math.inf, "'lr'에는 유한한 숫자를 넣어야 합니다 (입력값: inf)."),
    ({}, -math.inf, "'lr'에는 유한한 숫자를 넣어야 합니다 (입력값: -inf)."),
])
def test_real_messages_state_the_rule_broken(bounds, value, message):
    with pytest.raises(ValueError) as info:
        checks.real(value, "lr", **bounds)
    assert str(info.value) == message


@pytest.mark.parametrize("value", ["0.1", None, True, [0.1], np.bool_(True)])
def test_real_refuses_what_is_not_a_number(value):
    with pytest.raises(TypeError, match="'lr'에는 숫자를 넣어야"):
        checks.real(value, "lr", low=0)


def test_real_returns_a_float_inside_the_bounds():
    for value in (0, 0.5, np.float32(0.25), Fraction(1, 4)):
        result = checks.real(value, "beta", low=0, below=1)
        assert type(result) is float and result == float(value)


def test_boolean_takes_only_true_or_false():
    assert checks.boolean(np.bool_(True), "bias") is True and checks.boolean(False, "bias") is False
    for value in (1, 0, "True", None):
        with pytest.raises(TypeError, match="'bias'은\\(는\\) True 또는 False여야"):
            checks.boolean(value, "bias")


def test_float_array_and_labels_check_shape_values_and_length():
    np.testing.assert_array_equal(checks.float_array([[1, 2]], "X", 2), [[1.0, 2.0]])
    with pytest.raises(ValueError, match="\\(N, D\\) 2차원"):
        checks.float_array([1, 2], "X", 2)
    with pytest.raises(ValueError, match="NaN"):
        checks.float_array([[np.nan, 1]], "X", 2)
    assert checks.labels([0, 2.0, 1], "y", 3).dtype == np.int64
    with pytest.raises(ValueError, match="길이\\(2\\)"):
        checks.labels([0, 1], "y", 3)
    with pytest.raises(TypeError, match="True/False"):
        checks.labels([True, False], "y", 2)


def test_float_tensor_takes_any_rank_from_the_minimum():
    assert checks.float_tensor([[[1, 2]]], "Q", 2, "(..., L, d)").shape == (1, 1, 2)
    assert checks.float_tensor(np.ones((2, 3, 4, 5)), "Q", 2, "(..., L, d)").dtype == np.float64
    with pytest.raises(ValueError, match="\\(\\.\\.\\., L, d\\) 모양, 2차원 이상.*\\(3,\\)"):
        checks.float_tensor([1, 2, 3], "Q", 2, "(..., L, d)")
    with pytest.raises(ValueError, match="NaN"):
        checks.float_tensor([[[np.inf]]], "Q", 2, "(..., L, d)")
    with pytest.raises(ValueError, match="고른"):
        checks.float_tensor([[1], [1, 2]], "Q", 2, "(..., L, d)")
    with pytest.raises(TypeError, match="문자열"):
        checks.float_tensor("Q", "Q", 2, "(..., L, d)")


def test_bool_array_takes_only_true_and_false():
    np.testing.assert_array_equal(checks.bool_array([[True, False]], "mask"), [[True, False]])
    assert checks.bool_array(np.ones((2, 1), dtype=bool), "mask").dtype == np.bool_
    for value in ([[1, 0]], np.zeros(3), [True, 1.0]):
        with pytest.raises(TypeError, match="'mask'은\\(는\\) True/False 배열이어야"):
            checks.bool_array(value, "mask")
    with pytest.raises(ValueError, match="고른"):
        checks.bool_array([[True], [True, False]], "mask")
    with pytest.raises(TypeError, match="문자열"):
        checks.bool_array("True", "mask")


def test_widget_parse_number_is_the_checks_one():
    assert widget.parse_number is checks.parse_number
