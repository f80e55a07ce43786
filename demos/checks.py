"""Input checks with Korean messages, shared by every demo module and the widget framework.

Two kinds of input reach ``demos``:

* values passed to a maths function (``knn_predict(..., k=3)``, from Python or from the browser's
  ``window.cs231n.call``): ``float_array``, ``labels``, ``integer``, ``real`` and ``boolean``
  check them and return them in the type the maths wants;
* text typed into a widget's box: ``parse_number`` reads it.

A bad value raises ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, wrong value)
whose message names the argument, says what is expected and shows what was given; nothing else
escapes. ``bool`` is an ``int`` subclass in Python, so ``True`` is refused wherever a number is
expected.
"""

from __future__ import annotations

import math as _math
import numbers
import re
from typing import Any

import numpy as np

__all__ = ["float_array", "float_tensor", "bool_array", "labels", "integer", "real", "boolean",
           "parse_number", "excerpt"]


# ---------------------------------------------------------------------------------------------
# Arrays.
# ---------------------------------------------------------------------------------------------

def _float64(value, name: str) -> np.ndarray:
    """Nested lists or an array -> float64 array of any shape; Korean errors for text or ragged rows."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"'{name}'에는 숫자 배열을 넣으세요 (문자열은 안 됩니다).")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (ValueError, TypeError):
        raise ValueError(f"'{name}'에는 모양이 고른 숫자 배열만 넣을 수 있습니다.") from None
    return array


def float_array(value, name: str, ndim: int) -> np.ndarray:
    """Nested lists or an array -> finite float64 array with ``ndim`` dimensions."""
    array = _float64(value, name)
    if array.size == 0 and array.ndim != ndim:
        raise ValueError(f"'{name}'이(가) 비어 있습니다. 점을 하나 이상 넣으세요.")
    if array.ndim != ndim:
        shape = "(N, D) 2차원" if ndim == 2 else ("(N,) 1차원" if ndim == 1 else f"{ndim}차원")
        raise ValueError(f"'{name}'은(는) {shape} 배열이어야 합니다 (받은 모양: {array.shape}).")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"'{name}'에 NaN이나 무한대가 있습니다. 유한한 숫자만 넣으세요.")
    return array


def float_tensor(value, name: str, min_ndim: int, shape: str) -> np.ndarray:
    """Nested lists or an array with ``min_ndim`` or more dimensions (batch dimensions in front)
    -> finite float64 array; ``shape`` names the expected shape in the message, e.g.
    ``(..., L, d)``."""
    array = _float64(value, name)
    if array.ndim < min_ndim:
        raise ValueError(f"'{name}'은(는) {shape} 모양, {min_ndim}차원 이상의 배열이어야 합니다 "
                         f"(받은 모양: {array.shape}).")
    return float_array(array, name, array.ndim)


def bool_array(value, name: str) -> np.ndarray:
    """Nested lists of True / False or a boolean array -> bool array. Numbers (0 / 1 too) are
    refused: a float mask means something else (a bias added to the scores) in PyTorch."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"'{name}'에는 True/False 배열을 넣으세요 (문자열은 안 됩니다).")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        raise ValueError(f"'{name}'에는 모양이 고른 True/False 배열만 넣을 수 있습니다.") from None
    if array.dtype != np.bool_:
        got = "숫자" if array.dtype.kind in "iufc" else "문자열" if array.dtype.kind in "US" else "다른 값"
        raise TypeError(f"'{name}'은(는) True/False 배열이어야 합니다 ({got} 배열을 받았습니다. "
                        "0/1 대신 True/False를 쓰세요).")
    return array


def labels(value, name: str, n: int) -> np.ndarray:
    """Integer class labels of length ``n`` (1, 2.0 are fine; 1.5, True, NaN are not) -> int64 (n,)."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"'{name}'에는 정수 label 배열을 넣으세요 (문자열은 안 됩니다).")
    raw = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if raw.dtype == bool:
        raise TypeError(f"'{name}'에는 True/False가 아니라 정수 label을 넣으세요.")
    array = float_array(value, name, 1)
    if array.shape[0] != n:
        raise ValueError(f"'{name}'의 길이({array.shape[0]})가 데이터 점 개수({n})와 다릅니다.")
    if not np.all(array == np.round(array)):
        raise ValueError(f"'{name}'의 label은 정수여야 합니다.")
    return array.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Scalars.
# ---------------------------------------------------------------------------------------------

def integer(value, name: str, *, low: int | None = None, high: int | None = None,
            floats: bool = True) -> int:
    """An integer with ``low <= value <= high`` (either bound optional) -> int.

    With ``floats`` a whole float (3.0) is accepted; without, only integer types are (PyTorch's
    layer arguments refuse 3.0). 2.5, NaN, strings and True are always refused.
    """
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"'{name}'에는 True/False가 아니라 정수를 넣으세요 (입력값: {value!r}).")
    if not isinstance(value, numbers.Real if floats else numbers.Integral):
        raise TypeError(f"'{name}'은(는) 정수여야 합니다 (입력값: {value!r}).")
    if not _math.isfinite(value) or value != int(value):
        raise ValueError(f"'{name}'은(는) 정수여야 합니다 (입력값: {value!r}).")
    value = int(value)
    _check_bounds(value, name, f"{value}", low=low, high=high)
    return value


def real(value, name: str, *, low: float | None = None, high: float | None = None,
         above: float | None = None, below: float | None = None) -> float:
    """A finite number -> float, with optional bounds ``low <= value <= high``, ``value > above``,
    ``value < below``. Bounds are checked first, so NaN is told the bound it misses."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"'{name}'에는 숫자를 넣어야 합니다 (입력값: {value!r}).")
    value = float(value)
    _check_bounds(value, name, f"{value:g}", low=low, high=high, above=above, below=below)
    if not _math.isfinite(value):
        raise ValueError(f"'{name}'에는 유한한 숫자를 넣어야 합니다 (입력값: {value:g}).")
    return value


def boolean(value, name: str) -> bool:
    """True or False (NumPy's too); 1, 0 and strings are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"'{name}'은(는) True 또는 False여야 합니다 (입력값: {value!r}).")
    return bool(value)


def _check_bounds(value: float, name: str, shown: str, *, low=None, high=None, above=None,
                  below=None) -> None:
    """Raise one message naming every bound (e.g. '0 이상 1 미만이어야') if ``value`` misses one."""
    inside = ((low is None or value >= low) and (high is None or value <= high)
              and (above is None or value > above) and (below is None or value < below))
    if inside:
        return
    upper = (f"{_fmt(high)} 이하여야" if high is not None
             else f"{_fmt(below)} 미만이어야" if below is not None else None)
    if above is not None:
        lower = f"{_fmt(above)}보다 크고" if upper else f"{_fmt(above)}보다 커야"
    else:
        lower = f"{_fmt(low)} 이상" + ("" if upper else "이어야") if low is not None else None
    rule = " ".join(part for part in (lower, upper) if part)
    raise ValueError(f"'{name}'은(는) {rule} 합니다 (입력값: {shown}).")


# ---------------------------------------------------------------------------------------------
# Text typed into a widget.
# ---------------------------------------------------------------------------------------------

# A comma is a thousands separator only in a complete Korean grouping (1,000 / 12,345.6 /
# 1,000,000: the first group 1-3 digits without a leading zero, then groups of exactly three).
_THOUSANDS = re.compile(r"[+-]?[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]*)?")
# Otherwise one comma in a plain decimal is a decimal comma, as typed in much of Europe: 0,1 / 2,5e-3.
_DECIMAL_COMMA = re.compile(r"[+-]?([0-9]+,[0-9]*|,[0-9]+)([eE][+-]?[0-9]+)?")
EXCERPT_CHARS = 20   # of a reader's input quoted in a message


def parse_number(raw: Any, label: str, *, integer: bool = False, min: float | None = None,
                 max: float | None = None) -> float | int:
    """'3', ' 1e-3 ', '2.0' -> number; anything else raises ValueError in Korean naming ``label``.

    Commas are read, never dropped:

    * a Korean thousands grouping is a thousands separator: '1,000' -> 1000, '12,345.6' -> 12345.6;
    * otherwise one comma in a plain decimal is a decimal point: '0,1' -> 0.1, '2,5e-3' -> 0.0025
      ('0,100' has a leading zero, so it is no grouping: 0.1);
    * any other comma ('1.000,5', '1,2,3') is refused with a message saying how to write it.

    Messages quote at most ``EXCERPT_CHARS`` characters of the input and print numbers as
    ``_fmt`` does (scientific notation when very large or small).
    """
    text_value = str(raw).strip()
    if text_value == "":
        raise ValueError(f"'{label}' 칸이 비어 있습니다. 숫자를 입력하세요.")
    if "," in text_value:
        text_value = _read_commas(text_value, label)
    try:
        value = float(text_value)
    except ValueError:
        raise ValueError(f"'{label}'에는 숫자를 입력하세요 (입력값: '{excerpt(raw)}').") from None
    if not _math.isfinite(value):
        raise ValueError(f"'{label}'에는 유한한 숫자를 입력하세요 (입력값: '{excerpt(raw)}').")
    if integer:
        if value != int(value):
            raise ValueError(f"'{label}'은(는) 정수여야 합니다 (입력값: '{excerpt(raw)}').")
        value = int(value)
    if min is not None and value < min:
        raise ValueError(f"'{label}'은(는) {_fmt(min)} 이상이어야 합니다 (입력값: {_fmt(value)}).")
    if max is not None and value > max:
        raise ValueError(f"'{label}'은(는) {_fmt(max)} 이하여야 합니다 (입력값: {_fmt(value)}).")
    return value


def _read_commas(text_value: str, label: str) -> str:
    """A stripped input holding a comma -> the same number written for ``float`` (see
    ``parse_number``); Korean ValueError when the comma is neither kind."""
    if _THOUSANDS.fullmatch(text_value):
        return text_value.replace(",", "")
    if _DECIMAL_COMMA.fullmatch(text_value):
        return text_value.replace(",", ".")
    raise ValueError(f"'{label}'의 쉼표(,)를 읽을 수 없습니다 (입력값: '{excerpt(text_value)}'). "
                     "소수점은 점(.)으로 쓰세요 (예: 0.1). 쉼표는 천 단위 구분(1,000)이나 "
                     "소수점 하나(0,1)로만 읽습니다.")


def excerpt(raw: Any) -> str:
    """What the reader typed, for a message: on one line, at most ``EXCERPT_CHARS`` characters
    and then how long it was (a pasted page must not become a page-long message)."""
    text_value = " ".join(str(raw).split())
    if len(text_value) <= EXCERPT_CHARS:
        return text_value
    return f"{text_value[:EXCERPT_CHARS]}… 외 {len(text_value) - EXCERPT_CHARS:,}자"


def _fmt(x: float) -> str:
    """A number for a message: an integer below 1e15 in digits, else six significant digits, in
    scientific notation when very large or small, written as people type it (1e300, 1e-5)."""
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    mantissa, _, exponent = f"{x:.6g}".partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa
