"""The one door from JavaScript into ``demos``: call a function by dotted name, answer in JSON.

The browser worker calls ``call_json("demos.conv.summarize", '{"input_shape": [3, 32, 32], ...}')``.
Results become JSON the way ``window.cs231n.call`` promises: arrays -> nested lists, tuples -> lists,
NumPy scalars -> numbers, dict keys -> strings, NaN / infinity -> ``null``.

Errors come back as ``{"error": message, "kind": ...}`` instead of a traceback, always in Korean:
a ValueError or TypeError carries the demo's own Korean message; arguments that do not fit the
function (not a JSON object, a name it does not take, one missing) are named in Korean before the
call; a Python message in English (``unhashable type: 'dict'``) is wrapped in a Korean sentence;
anything else gets a short Korean message naming the exception type (the worker logs the traceback
to the console for developers).
"""

from __future__ import annotations

import importlib
import inspect
import json
import math
import re
import traceback
from typing import Any

import numpy as np

__all__ = ["to_jsonable", "resolve", "call", "call_json"]


def to_jsonable(obj: Any) -> Any:
    """Convert a result to plain JSON types (see the module docstring)."""
    # Exact built-in types first: they are most of the leaves of a Plotly figure, and checking
    # them by type is cheaper than the isinstance / hasattr chain below (np.float64 subclasses
    # float, so plain float is matched exactly).
    kind = type(obj)
    if kind is str or kind is int or kind is bool or obj is None:
        return obj
    if kind is float:
        return obj if math.isfinite(obj) else None
    if kind is dict:
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if kind is list or kind is tuple:
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        # Fast path: a numeric array with nothing to clean converts in C, not element by element.
        if obj.dtype.kind in "biu" or (obj.dtype.kind == "f" and np.isfinite(obj).all()):
            return obj.tolist()
        if obj.dtype.kind == "f":   # NaN / inf -> None, still in C (gaps in Plotly lines)
            clean = obj.astype(object)
            clean[~np.isfinite(obj)] = None
            return clean.tolist()
        return to_jsonable(obj.tolist())
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if hasattr(obj, "tolist"):  # NumPy scalars
        return to_jsonable(obj.tolist())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"JSON으로 바꿀 수 없는 결과입니다: {type(obj).__name__}")


def resolve(name: str):
    """``"demos.conv.summarize"`` -> the function; only names under ``demos.`` are allowed."""
    if not isinstance(name, str):
        raise ValueError("호출할 함수의 이름은 'demos.<모듈>.<함수>' 형식의 문자열이어야 합니다.")
    parts = name.split(".")
    if len(parts) < 3 or parts[0] != "demos" or any(not p.isidentifier() or p.startswith("_")
                                                    for p in parts[1:]):
        raise ValueError(f"호출할 수 없는 이름입니다: '{name}' (demos.<모듈>.<함수> 형식이어야 합니다)")
    try:
        module = importlib.import_module(".".join(parts[:-1]))
    except ModuleNotFoundError:
        raise ValueError(f"'{'.'.join(parts[:-1])}' 모듈을 찾을 수 없습니다.") from None
    function = getattr(module, parts[-1], None)
    if not callable(function):
        raise ValueError(f"'{name}' 함수를 찾을 수 없습니다.")
    return function


def call(name: str, kwargs: dict | None = None) -> Any:
    """Call ``name(**kwargs)`` and return the JSON-ready result."""
    return to_jsonable(resolve(name)(**(kwargs or {})))


def _numpy_default(obj: Any) -> Any:
    if isinstance(obj, (np.ndarray, np.generic)):
        return to_jsonable(obj)
    raise TypeError(f"JSON으로 바꿀 수 없는 결과입니다: {type(obj).__name__}")


def dumps(result: Any) -> str:
    """``json.dumps(to_jsonable(result))``, but in C for the usual case: the pure-Python walk runs
    only when plain floats hold NaN / infinity or a dict has keys JSON cannot take."""
    try:
        return json.dumps(result, ensure_ascii=False, allow_nan=False, default=_numpy_default)
    except (ValueError, TypeError):
        return json.dumps(to_jsonable(result), ensure_ascii=False, allow_nan=False)


def check_arguments(name: str, function, kwargs: Any) -> None:
    """Raise TypeError in Korean unless ``function(**kwargs)`` fits its signature: ``kwargs`` a
    dict, every name one the function takes, every required one given."""
    if not isinstance(kwargs, dict):
        raise TypeError(f"'{name}'의 인자는 {{이름: 값}} 형태의 객체여야 합니다.")
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):   # no signature to read: the call itself will say
        return
    named = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if not any(p.kind == p.VAR_KEYWORD for p in parameters):
        unknown = [key for key in kwargs if key not in named]
        if unknown:
            raise TypeError(f"'{name}'에는 {_quoted(unknown)} 인자가 없습니다 "
                            f"(받는 인자: {', '.join(named) or '없음'}).")
    missing = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
               and p.default is p.empty and p.name not in kwargs]
    if missing:
        raise TypeError(f"'{name}'에 꼭 필요한 인자가 빠졌습니다: {_quoted(missing)}.")


def _quoted(names: list[str]) -> str:
    return ", ".join(f"'{n}'" for n in names[:5]) + (" 등" if len(names) > 5 else "")


_HANGUL = re.compile("[\uac00-\ud7a3]")


def korean_message(name: str, error: Exception) -> str:
    """The error's message if it is the demos' own (Korean); Python's English one (a wrong type
    deep inside NumPy, ``unhashable type: 'dict'``) inside a Korean sentence, kept short."""
    message = str(error)
    if _HANGUL.search(message):
        return message
    detail = message if len(message) <= 80 else message[:77] + "..."
    return (f"'{name}'에 넘긴 인자의 형식이 맞지 않습니다. 배열은 숫자의 (중첩) 리스트로, 이름은 "
            f"문자열로 넘기세요. ({type(error).__name__}: {detail})")


def call_json(name: str, kwargs_json: str) -> str:
    """``call`` with JSON in and out; never raises: errors become ``{"error": ..., "kind": ...}``."""
    try:
        function = resolve(name)
        kwargs = json.loads(kwargs_json or "{}")
        check_arguments(name, function, kwargs)
        return dumps({"ok": function(**kwargs)})
    except (ValueError, TypeError) as error:
        result = {"error": korean_message(name, error), "kind": type(error).__name__}
    except RecursionError:
        result = {"error": "인자나 결과가 너무 깊게 중첩되어 있어 처리할 수 없습니다.", "kind": "RecursionError"}
    except Exception as error:  # a bug, not bad input: short message here, details in the console
        result = {"error": f"데모 코드에서 예기치 않은 오류가 발생했습니다 ({type(error).__name__}).",
                  "kind": type(error).__name__, "detail": traceback.format_exc()}
    return json.dumps(result, ensure_ascii=False)
