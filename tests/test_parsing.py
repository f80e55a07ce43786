"""Reading what a reader types into a number box (demos.widget.parse_number) under CPython:
commas are read as a thousands separator or a decimal point, or refused, never dropped; messages
quote a short excerpt of the input and print numbers in scientific notation; the optimizer widgets
refuse learning rates near float64's ends."""

import pytest

from demos import checks, widget
from demos.widget import parse_number


@pytest.mark.parametrize("raw, expected", [
    ("0,1", 0.1), ("1,0", 1.0), ("-0,5", -0.5), (",5", 0.5), ("2,5e-3", 0.0025), ("3,14159", 3.14159),
    ("0,100", 0.1), ("0,001", 0.001),        # a leading zero: no thousands grouping, a decimal comma
])
def test_a_decimal_comma_is_a_decimal_point(raw, expected):
    assert parse_number(raw, "learning rate") == expected


@pytest.mark.parametrize("raw, expected", [
    ("1,000", 1000), ("12,345.6", 12345.6), ("1,000,000", 1_000_000), ("-2,500", -2500),
])
def test_a_korean_thousands_grouping_is_a_thousands_separator(raw, expected):
    assert parse_number(raw, "steps") == expected


@pytest.mark.parametrize("raw", ["1.000,5", "1,2,3", "1,00,000", "12,34,567", ",", "1,5,"])
def test_any_other_comma_is_refused_with_a_korean_message(raw):
    with pytest.raises(ValueError) as info:
        parse_number(raw, "learning rate")
    message = str(info.value)
    assert "'learning rate'의 쉼표(,)를 읽을 수 없습니다" in message
    assert f"'{raw}'" in message and "소수점은 점(.)으로" in message


def test_a_decimal_comma_that_is_no_integer_is_refused_as_one():
    with pytest.raises(ValueError, match="정수여야"):
        parse_number("2,5", "steps", integer=True)


def test_a_long_input_is_quoted_as_a_short_excerpt():
    raw = "x" * 10_000
    with pytest.raises(ValueError) as info:
        parse_number(raw, "학습률")
    message = str(info.value)
    assert len(message) < 100
    assert "'" + "x" * checks.EXCERPT_CHARS + "… 외 9,980자'" in message


def test_a_multiline_input_is_quoted_on_one_line():
    with pytest.raises(ValueError) as info:
        parse_number("1\n\n2", "학습률")
    assert "\n" not in str(info.value) and "'1 2'" in str(info.value)


@pytest.mark.parametrize("raw, kwargs, shown", [
    ("1e300", {"max": 10}, "(입력값: 1e300)"),
    ("-1e300", {"min": -1e100}, "-1e100 이상이어야 합니다 (입력값: -1e300)"),
    ("123456789012345678", {"max": 10}, "(입력값: 1.23457e17)"),
    ("0.00001", {"min": 0.001}, "0.001 이상이어야 합니다 (입력값: 1e-5)"),
    ("1001", {"max": 1000}, "1000 이하여야 합니다 (입력값: 1001)"),
])
def test_numbers_in_messages_are_short(raw, kwargs, shown):
    with pytest.raises(ValueError) as info:
        parse_number(raw, "값", **kwargs)
    assert shown in str(info.value)


def test_a_widget_reads_a_decimal_comma():
    answer = widget.update("lr-schedule", {"schedules": ["constant"], "steps": "10", "lr": "0,5"})
    table = next(o for o in answer["outputs"] if o["kind"] == "table")
    assert table["rows"][0][1:] == ["0.5"] * (len(table["columns"]) - 1)


def test_a_select_quotes_a_short_excerpt():
    answer = widget.update("optim", {"surface": "s" * 5_000})
    assert not answer["ok"] and len(answer["message"]) < 100
    assert "'" + "s" * checks.EXCERPT_CHARS + "… 외 4,980자'" in answer["message"]


# ---------------------------------------------------------------------------------------------
# Learning rates near float64's ends (demos.optim's widgets).
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("widget_id, control", [("lr-schedule", "lr"), ("optim", "lr_sgd"),
                                                ("optim", "lr_adaptive")])
@pytest.mark.parametrize("raw, fragment", [("1e-320", "너무 작습니다 (입력값: 1e-320)"),
                                           ("1e-310", "너무 작습니다"), ("1e308", "너무 큽니다")])
def test_a_learning_rate_near_the_ends_of_float64_is_refused_in_korean(widget_id, control, raw, fragment):
    answer = widget.update(widget_id, {control: raw})
    assert not answer["ok"]
    assert fragment in answer["message"] and "1e-300 ~ 1e300" in answer["message"]
    assert answer["state"][control] == raw          # kept as typed, to be fixed


@pytest.mark.parametrize("raw", ["1e-300", "1e300", "1e-6"])
def test_learning_rates_inside_the_range_draw(raw):
    answer = widget.update("lr-schedule", {"lr": raw, "schedules": ["constant"]})
    assert answer["ok"]
    figure = next(o for o in answer["outputs"] if o["kind"] == "plot")["figure"]
    assert figure["data"][0]["y"][0] == pytest.approx(float(raw), rel=1e-12)
