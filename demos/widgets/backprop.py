"""Widget "backprop-graph" (Lecture 4): backpropagation on a computational graph, step by step.

The reader types an expression (``demos.backprop``'s grammar) and its variables' values; the graph
is drawn with a layered layout computed here. Stepping fills the values forward, then walks
backward showing "upstream × local = downstream" at every edge, naming the gate's pattern as the
author's notes do, fan-out nodes adding (+=); a toggle runs backward twice without zeroing. The
step shown lives in a hidden control. Layers as in the other widget modules:
``graph_view_model`` (numbers only), the figure and sentences, ``TEXT``. The two-layer net that
trains is ``demos.widgets.mlp``.
"""

from __future__ import annotations

import re

import numpy as np

from demos import backprop, checks
from demos.plotting import TIE_COLOR, chart_layout, significant
from demos.widget import button, hidden, legend, plot, stats, table, text, textbox, toggle, widget

__all__ = ["WIDGETS", "graph_view_model", "PRESETS", "parse_values"]

PRESETS = {
    "preset_add": ("(x+y)*z", "x=-2, y=5, z=-4"),
    "preset_neuron": ("1/(1+exp(-(w0*x0+w1*x1+w2)))", "w0=2, x0=-1, w1=-3, x1=-2, w2=-3"),
    "preset_fanout": ("x*x*x+3*x", "x=2"),
    "preset_max": ("max(x, y)*z", "x=4, y=2, z=3"),
}
MAX_DRAWN = 40           # nodes a readable picture can hold
VALUE_COLOR, GRAD_COLOR, FOCUS_COLOR = "#54a24b", "#e45756", "#f58518"

TEXT = {
    "graph_title": "역전파 (backpropagation): 계산 그래프를 한 단계씩",
    "graph_description": "식의 계산 그래프(computational graph)입니다. ▶로 한 단계씩 forward 값(초록)과 "
                         "backward의 upstream × local = downstream 기울기(빨강)를 따라가 보세요.",
    "expression": "식 (expression)",
    "values": "변수 값",
    "values_help": "x=-2, y=5 처럼 쉼표로 나눠 적습니다.",
    "bad_pair": "변수 값 '{part}'을(를) 읽을 수 없습니다. x=-2 처럼 이름=숫자로 적으세요.",
    "bad_name": "'{name}'은(는) 변수 이름으로 쓸 수 없습니다 (x, w0 같은 이름).",
    "twice_name": "변수 '{name}'의 값이 두 번 적혀 있습니다.",
    "too_big": "그림으로 보기에는 식이 큽니다 (노드 {n}개, {limit}개까지). 식을 줄이세요.",
    "twice": "backward 두 번 (기울기를 0으로 초기화하지 않음)",
    "twice_help": "PyTorch에서 zero_grad 없이 backward를 두 번 부르면 잎 노드의 .grad가 더해집니다.",
    "stat_value": "출력값",
    "stat_step": "단계",
    "stat_phase": "지금",
    "phase_inputs": "입력값",
    "phase_forward": "forward",
    "phase_backward": "backward {p}회차",
    "node_hover": "%{customdata}<extra></extra>",
    "inputs_note": "입력값(잎 노드)부터 시작합니다. ▶를 누르면 forward로 노드 값을 하나씩 계산합니다.",
    "forward_note": "forward: {text} = {value}",
    "seed_note": "backward {p}회차 시작: 출력의 기울기 d out/d out = 1.",
    "seed_again": " 잎 노드(변수)의 .grad는 0으로 초기화하지 않아 1회차 값이 그대로 남아 있습니다.",
    "edge_note": "{node} → {target}: upstream {up} × local {local} = downstream {down}. {gate}",
    "accumulate": " {target}은(는) 여러 곳에서 쓰여(copy gate, fan-out) 기울기를 더합니다: "
                  "{before} + {down} = {after}.",
    "carry": " zero_grad를 하지 않아 {target}의 .grad에 지난 backward 값이 남아 있고, 거기에 "
             "더합니다: {before} + {down} = {after}.",
    "gates": {
        "add": "add gate: 그대로 전달 (local = 1).",
        "sub0": "빼기: 왼쪽은 그대로 전달 (local = 1).",
        "sub1": "빼기: 오른쪽은 부호만 바꿔 전달 (local = −1).",
        "mul": "mul gate: 서로 바꿔 곱함 (local = 상대 입력 {other}).",
        "max_win": "max gate: 이긴 쪽으로 (local = 1).",
        "max_lose": "max gate: 진 쪽은 0 (local = 0).",
        "max_tie": "max gate: 동점이면 반씩 (local = 0.5, torch.maximum과 같은 규칙).",
        "neg": "부호 바꿈: local = −1.",
        "div0": "나누기 a/b: 분자 쪽 local = 1/b.",
        "div1": "나누기 a/b: 분모 쪽 local = −a/b².",
        "pow": "거듭제곱 x^p: local = p·x^(p−1).",
        "exp": "exp: local = exp(x) = 출력값 자신.",
        "log": "log: local = 1/x.",
        "tanh": "tanh: local = 1 − tanh².",
        "sigmoid": "sigmoid gate: local = σ(1 − σ).",
        "relu": "ReLU: x > 0이면 1, 아니면 0 (relu'(0) = 0, PyTorch와 같음).",
    },
    "done": "끝: 각 변수의 기울기 = 그 변수에서 출력까지 모든 경로의 (local 곱)의 합.",
    "done_twice": " backward를 두 번 했으므로 변수의 기울기가 두 배입니다 (zero_grad를 잊으면 생기는 일).",
    "record_columns": ["#", "노드 → 입력", "upstream", "× local", "= downstream", "입력의 grad"],
    "records_caption": "backward 기록 (지금까지)",
}


# ---------------------------------------------------------------------------------------------
# backprop-graph: reading the values box, the timeline of steps, the layout.
# ---------------------------------------------------------------------------------------------

def parse_values(raw: str) -> dict[str, float]:
    """'x=-2, y=5' -> {'x': -2.0, 'y': 5.0}; Korean ValueError on anything else."""
    values: dict[str, float] = {}
    for part in re.split(r"[,;\n]", raw):
        if not part.strip():
            continue
        name, sep, number = part.partition("=")
        name = name.strip()
        if not sep:
            raise ValueError(TEXT["bad_pair"].format(part=part.strip()[:20]))
        if not name.isidentifier() or name in backprop.FUNCTIONS:
            raise ValueError(TEXT["bad_name"].format(name=name[:20]))
        if name in values:
            raise ValueError(TEXT["twice_name"].format(name=name))
        values[name] = checks.parse_number(number, f"변수 {name}")
    return values


def _timeline(nodes, passes: int) -> tuple[list[tuple], list[dict]]:
    """Every step the reader can stop at: ("inputs",), ("forward", node), ("seed", pass) and
    ("edge", record index); and the backward records."""
    _, records = backprop.backward(nodes, passes)
    steps = [("inputs",)] + [("forward", i) for i, n in enumerate(nodes) if n.inputs]
    for p in range(passes):
        steps.append(("seed", p))
        steps += [("edge", r) for r, rec in enumerate(records) if rec["pass"] == p]
    return steps, records


def _shown_at(nodes, steps, records, at: int) -> tuple[list, list]:
    """Values and gradients on screen after step ``at`` (None where not yet computed)."""
    values = [n.value if not n.inputs else None for n in nodes]
    grads: list = [None] * len(nodes)
    for step in steps[1:at + 1]:
        if step[0] == "forward":
            values[step[1]] = nodes[step[1]].value
        elif step[0] == "seed":
            grads = [g if not n.inputs else None for g, n in zip(grads, nodes)]
            grads[-1] = (grads[-1] or 0.0) + 1.0
        elif step[0] == "edge":
            rec = records[step[1]]
            grads[rec["input"]] = rec["after"]
    return values, grads


def _layout_positions(nodes) -> np.ndarray:
    """(x, y) of every node: columns by depth (a leaf just left of its first use), rows spread
    from the output at the right, a node's inputs above and below it, no two closer than 1."""
    n = len(nodes)
    depth = [0] * n
    for i, node in enumerate(nodes):
        if node.inputs:
            depth[i] = 1 + max(depth[j] for j in node.inputs)
    for i, node in enumerate(nodes):
        if not node.inputs and node.consumers:
            depth[i] = min(depth[c] for c in node.consumers) - 1
    y = [[] for _ in range(n)]
    y[-1] = [0.0]
    for i in range(n - 1, -1, -1):
        here = float(np.mean(y[i])) if y[i] else 0.0
        k = len(nodes[i].inputs)
        for slot, j in enumerate(nodes[i].inputs):
            y[j].append(here + ((k - 1) / 2 - slot) * 1.2)
    rows = np.array([float(np.mean(v)) if v else 0.0 for v in y])
    for column in set(depth):
        members = sorted((rows[i], i) for i in range(n) if depth[i] == column)
        for (_, a), (_, b) in zip(members, members[1:]):
            rows[b] = max(rows[b], rows[a] + 1.0)
    return np.stack([np.array(depth, dtype=float), rows], axis=1)


def graph_view_model(expression: str, values: dict, passes: int, step: int) -> dict:
    """An expression and its variables' values -> the graph's nodes, their positions (M, 2), the
    steps, which step is shown (``step`` < 0 or past the end: the last), what is on screen then,
    and the records of the backward passes."""
    nodes = backprop.build_graph(expression, values)
    if len(nodes) > MAX_DRAWN:
        raise ValueError(TEXT["too_big"].format(n=len(nodes), limit=MAX_DRAWN))
    steps, records = _timeline(nodes, passes)
    at = len(steps) - 1 if step < 0 or step >= len(steps) else step
    shown_values, shown_grads = _shown_at(nodes, steps, records, at)
    return {"nodes": nodes, "xy": _layout_positions(nodes), "steps": steps, "at": at,
            "records": records, "values": shown_values, "grads": shown_grads, "passes": passes}


# ---------------------------------------------------------------------------------------------
# backprop-graph: the picture and the sentences.
# ---------------------------------------------------------------------------------------------

def _num(v) -> str:
    if v is None:
        return ""
    return f"{float(significant(np.array(v), 4)):g}"


def _focus(vm: dict) -> tuple[set[int], tuple[int, int] | None]:
    """The nodes and the edge (input, node) the current step is about."""
    step = vm["steps"][vm["at"]]
    if step[0] == "forward":
        return {step[1]}, None
    if step[0] == "seed":
        return {len(vm["nodes"]) - 1}, None
    if step[0] == "edge":
        rec = vm["records"][step[1]]
        return {rec["node"], rec["input"]}, (rec["input"], rec["node"])
    return {i for i, n in enumerate(vm["nodes"]) if not n.inputs}, None


def _edge_trace(xy: np.ndarray, pairs: list[tuple[int, int]], color: str, width: float) -> dict:
    xs, ys = [], []
    for a, b in pairs:
        xs += [xy[a, 0], xy[b, 0], None]
        ys += [xy[a, 1], xy[b, 1], None]
    return {"type": "scatter", "mode": "lines", "x": xs, "y": ys, "hoverinfo": "skip",
            "line": {"color": color, "width": width}, "showlegend": False}


def _graph_figure(vm: dict) -> dict:
    nodes, xy = vm["nodes"], vm["xy"]
    focus, edge = _focus(vm)
    pairs = [(j, i) for i, n in enumerate(nodes) for j in n.inputs]
    data = [_edge_trace(xy, pairs, TIE_COLOR, 1.5)]
    if edge is not None:
        data.append(_edge_trace(xy, [edge], FOCUS_COLOR, 5))
    hover = [f"{n.text}<br>값 {_num(v)}<br>기울기 {_num(g)}"
             for n, v, g in zip(nodes, vm["values"], vm["grads"])]
    data.append({"type": "scatter", "mode": "markers+text", "x": xy[:, 0], "y": xy[:, 1],
                 "text": [n.label for n in nodes], "customdata": hover,
                 "hovertemplate": TEXT["node_hover"], "textfont": {"size": 13},
                 "marker": {"size": 34, "symbol": ["square" if not n.inputs else "circle"
                                                    for n in nodes],
                            "color": "rgba(128,128,128,0.12)",
                            "line": {"width": [4 if i in focus else 1.5 for i in range(len(nodes))],
                                     "color": [FOCUS_COLOR if i in focus else TIE_COLOR
                                               for i in range(len(nodes))]}},
                 "showlegend": False})
    for values, color, dy in ((vm["values"], VALUE_COLOR, 0.42), (vm["grads"], GRAD_COLOR, -0.42)):
        data.append({"type": "scatter", "mode": "text", "x": xy[:, 0], "y": xy[:, 1] + dy,
                     "text": [_num(v) for v in values], "hoverinfo": "skip",
                     "textfont": {"color": color, "size": 12}, "showlegend": False})
    span_y = (xy[:, 1].min() - 0.8, xy[:, 1].max() + 0.8)
    height = int(min(560, max(240, 70 * (span_y[1] - span_y[0]))))
    axis = {"visible": False, "fixedrange": True}
    layout = chart_layout("", height, margin={"l": 8, "r": 8, "t": 8, "b": 8},
                          xaxis={**axis, "range": [xy[:, 0].min() - 0.6, xy[:, 0].max() + 0.6]},
                          yaxis={**axis, "range": list(span_y)}, dragmode=False)
    layout.pop("title")
    return {"data": data, "layout": layout}


def _gate_note(vm: dict, rec: dict) -> str:
    nodes = vm["nodes"]
    node = nodes[rec["node"]]
    gates, op, slot = TEXT["gates"], node.op, rec["slot"]
    if op == "mul":
        return gates["mul"].format(other=_num(nodes[node.inputs[1 - slot]].value))
    if op == "max":
        return gates["max_tie" if rec["local"] == 0.5 else
                     "max_win" if rec["local"] == 1 else "max_lose"]
    if op in ("sub", "div"):
        return gates[f"{op}{slot}"]
    return gates[op]


def _step_note(vm: dict) -> dict:
    step, nodes = vm["steps"][vm["at"]], vm["nodes"]
    if step[0] == "inputs":
        return text(TEXT["inputs_note"])
    if step[0] == "forward":
        node = nodes[step[1]]
        return text(TEXT["forward_note"].format(text=node.text, value=_num(node.value)))
    if step[0] == "seed":
        return text(TEXT["seed_note"].format(p=step[1] + 1)
                    + (TEXT["seed_again"] if step[1] else ""))
    rec = vm["records"][step[1]]
    target = nodes[rec["input"]]
    sentence = TEXT["edge_note"].format(
        node=nodes[rec["node"]].text, target=target.text, up=_num(rec["upstream"]),
        local=_num(rec["local"]), down=_num(rec["downstream"]), gate=_gate_note(vm, rec))
    if rec["before"] != 0 or len(target.consumers) > 1:
        fan_out = len(target.consumers) > 1
        sentence += TEXT["accumulate" if fan_out else "carry"].format(
            target=target.text, before=_num(rec["before"]), down=_num(rec["downstream"]),
            after=_num(rec["after"]))
    return text(sentence, "ok" if len(target.consumers) > 1 else "info")


def _records_table(vm: dict) -> dict | None:
    done = [s[1] for s in vm["steps"][:vm["at"] + 1] if s[0] == "edge"]
    if not done:
        return None
    nodes = vm["nodes"]
    rows = []
    for r in done:
        rec = vm["records"][r]
        after = (f"{_num(rec['before'])} + {_num(rec['downstream'])} = {_num(rec['after'])}"
                 if rec["before"] != 0 else _num(rec["after"]))
        rows.append([r + 1, f"{nodes[rec['node']].text} → {nodes[rec['input']].text}",
                     _num(rec["upstream"]), _num(rec["local"]), _num(rec["downstream"]), after])
    return table(TEXT["record_columns"], rows[-12:], caption=TEXT["records_caption"],
                 highlight=[len(rows[-12:]) - 1])


def _render_graph(expression, values, twice, step) -> list[dict]:
    vm = graph_view_model(expression, parse_values(values), 2 if twice else 1, _step(step))
    kind = vm["steps"][vm["at"]][0]
    phase = (TEXT["phase_inputs"] if kind == "inputs" else TEXT["phase_forward"]
             if kind == "forward" else TEXT["phase_backward"].format(
                 p=vm["steps"][vm["at"]][1] + 1 if kind == "seed"
                 else vm["records"][vm["steps"][vm["at"]][1]]["pass"] + 1))
    outputs = [stats([(TEXT["stat_value"], _num(vm["nodes"][-1].value)),
                      (TEXT["stat_step"], f"{vm['at']} / {len(vm['steps']) - 1}"),
                      (TEXT["stat_phase"], phase)]),
               plot("backprop-graph", _graph_figure(vm)),
               legend([("값 (forward)", VALUE_COLOR, "square"),
                       ("기울기 d out/d 노드 (backward)", GRAD_COLOR, "square"),
                       ("지금 단계", FOCUS_COLOR, "circle-open")]),
               _step_note(vm)]
    if vm["at"] == len(vm["steps"]) - 1:
        outputs.append(text(TEXT["done"] + (TEXT["done_twice"] if twice else ""), "ok"))
    records = _records_table(vm)
    return outputs + ([records] if records else [])


def _step(raw) -> int:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else -1


def _graph_event(values: dict, event: dict) -> dict:
    if event.get("type") != "action":
        return {}
    name = event.get("name")
    if name in PRESETS:
        expression, raw_values = PRESETS[name]
        return {"expression": expression, "values": raw_values, "step": 0}
    vm = graph_view_model(values["expression"], parse_values(values["values"]),
                          2 if values["twice"] else 1, _step(values["step"]))
    last = len(vm["steps"]) - 1
    moves = {"first": 0, "prev": max(0, vm["at"] - 1), "next": min(last, vm["at"] + 1),
             "last": -1}
    return {"step": moves[name]} if name in moves else {}



WIDGETS = {
    "backprop-graph": widget(
        TEXT["graph_title"],
        [
            textbox("expression", TEXT["expression"], PRESETS["preset_add"][0], max_length=400),
            textbox("values", TEXT["values"], PRESETS["preset_add"][1], max_length=400,
                    help=TEXT["values_help"]),
            button("first", "⏮ 처음"),
            button("prev", "◀ 이전"),
            button("next", "다음 ▶"),
            button("last", "끝 ⏭"),
            toggle("twice", TEXT["twice"], False, help=TEXT["twice_help"]),
            button("preset_add", "예제: (x+y)*z"),
            button("preset_neuron", "예제: sigmoid 뉴런"),
            button("preset_fanout", "예제: x*x*x+3*x (fan-out)"),
            button("preset_max", "예제: max(x, y)*z"),
            hidden("step", -1),
        ],
        _render_graph,
        on_event=_graph_event,
        description=TEXT["graph_description"],
        primary=("expression", "values", "prev", "next", "twice"),
    ),
}
