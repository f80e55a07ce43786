"""Backpropagation (Lecture 4): a scalar expression's computational graph, and a two-layer net.

Contract (design.md, ``demos.backprop``):

* ``evaluate_expression(expression, values)`` -> ``{"value": float, "grads": {name: float}}``: the
  value of a scalar expression and d(value)/d(name) for every name in ``values``, by reverse mode
  over the graph. The expression is parsed with ``ast`` against a small grammar (number literals,
  variable names, ``+ - * /``, unary ``-``, ``**`` with a number-literal exponent, parentheses,
  ``exp log tanh sigmoid relu max(a, b)``) and never evaluated; anything else, a missing variable or
  a non-finite value or gradient anywhere is a Korean ``ValueError``. Gradients are
  torch.autograd's:
  ``relu'(0) = 0``; ``x ** 0`` has gradient 0; a node used twice adds its gradients (fan-out).
  ``max(a, b)`` at a tie (a == b) sends half the upstream gradient to each side: the chosen
  convention, which is ``torch.maximum``'s (derivatives.yaml: ``grad / 2`` where self == other).
* ``two_layer_net_loss(X, y, W1, b1, W2, b2, reg=0.0, activation="relu")`` -> ``(loss, grads)``:
  scores ``act(X @ W1 + b1) @ W2 + b2``, mean softmax cross-entropy (shifted by the row maximum,
  so scores of 1e4 do not overflow) plus ``reg * (sum(W1**2) + sum(W2**2))``.

Besides the contract: the graph with its per-step forward and backward records (what the widget
"backprop-graph" steps through). Training the net on 2-D data is ``demos.mlp``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import numpy as np

from demos import checks

__all__ = ["evaluate_expression", "two_layer_net_loss", "build_graph", "backward", "Node",
           "local_gradients", "ACTIVATIONS", "activate", "forward_scores", "loss_and_grads"]

FUNCTIONS = {"exp": 1, "log": 1, "tanh": 1, "sigmoid": 1, "relu": 1, "max": 2}
BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div"}
SYMBOLS = {"add": "+", "sub": "−", "mul": "×", "div": "÷", "neg": "−", "pow": "**"}
MAX_CHARS = 400
MAX_NODES = 200
MAX_DEPTH = 50

# Python syntax outside the grammar, named for the reader.
_REFUSED = {
    ast.Attribute: "속성 접근 (x.y)", ast.Lambda: "lambda", ast.ListComp: "comprehension",
    ast.SetComp: "comprehension", ast.DictComp: "comprehension", ast.GeneratorExp: "comprehension",
    ast.Subscript: "인덱싱 (x[0])", ast.Compare: "비교 (<, ==)", ast.BoolOp: "and / or",
    ast.IfExp: "조건식 (a if c else b)", ast.List: "리스트", ast.Tuple: "튜플", ast.Dict: "딕셔너리",
    ast.Set: "집합", ast.NamedExpr: ":=", ast.JoinedStr: "f-string", ast.Starred: "*args",
}


# ---------------------------------------------------------------------------------------------
# The graph: one node per operation, one per variable (shared by its uses), one per literal.
# ---------------------------------------------------------------------------------------------

@dataclass
class Node:
    """One node of the graph. ``op`` is var, const, add, sub, mul, div, neg, pow or a function
    name; ``inputs`` index earlier nodes; ``text`` is the source it came from."""
    op: str
    inputs: tuple[int, ...]
    value: float
    text: str
    exponent: float | None = None
    consumers: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.op in ("var", "const"):
            return self.text
        if self.op == "pow":
            return f"**{self.exponent:g}"
        return SYMBOLS.get(self.op, self.op)


def _finite(value: float, text: str) -> float:
    if not np.isfinite(value):
        raise ValueError(f"'{text}'의 값이 유한하지 않습니다 ({value}): 0으로 나누기, log(0), "
                         f"exp 넘침(overflow) 같은 곳이 있는지 보세요.")
    return float(value)


def _apply(op: str, args: list[float], exponent: float | None) -> float:
    """The forward value of one operation, in float64 (inf / nan are caught by the caller)."""
    a = np.float64(args[0])
    b = np.float64(args[1]) if len(args) > 1 else None
    with np.errstate(all="ignore"):
        return float({
            "add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b,
            "div": lambda: a / b if b != 0 else np.float64(np.inf), "neg": lambda: -a,
            "pow": lambda: np.power(a, np.float64(exponent)), "exp": lambda: np.exp(a),
            "log": lambda: np.log(a) if a > 0 else (-np.inf if a == 0 else np.nan),
            "tanh": lambda: np.tanh(a), "sigmoid": lambda: np.exp(-np.logaddexp(0.0, -a)),
            "relu": lambda: max(a, 0.0), "max": lambda: max(a, b),
        }[op]())


class _Builder:
    """Walks the ``ast`` of an expression, refusing anything outside the grammar."""

    def __init__(self, source: str, values: dict[str, float]):
        self.source, self.values = source, values
        self.nodes: list[Node] = []
        self.variables: dict[str, int] = {}

    def add(self, op: str, inputs: tuple[int, ...], value: float, text: str, **extra) -> int:
        if len(self.nodes) >= MAX_NODES:
            raise ValueError(f"식이 너무 깁니다 (연산 {MAX_NODES}개까지).")
        self.nodes.append(Node(op, inputs, _finite(value, text), text, **extra))
        for i in inputs:
            self.nodes[i].consumers.append(len(self.nodes) - 1)
        return len(self.nodes) - 1

    def text(self, tree: ast.AST) -> str:
        return ast.get_source_segment(self.source, tree) or type(tree).__name__

    def build(self, tree: ast.AST, depth: int = 0) -> int:
        if depth > MAX_DEPTH:
            raise ValueError(f"식이 너무 깊게 중첩되어 있습니다 ({MAX_DEPTH}단계까지).")
        if isinstance(tree, ast.Constant):
            return self.add("const", (), _literal(tree, self.text(tree)), self.text(tree))
        if isinstance(tree, ast.Name):
            return self.variable(tree)
        if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Pow):
            return self.power(tree, depth)
        if isinstance(tree, ast.BinOp) and type(tree.op) in BINARY:
            args = (self.build(tree.left, depth + 1), self.build(tree.right, depth + 1))
            return self.operation(BINARY[type(tree.op)], args, tree)
        if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub):
            return self.operation("neg", (self.build(tree.operand, depth + 1),), tree)
        if isinstance(tree, ast.Call):
            return self.call(tree, depth)
        raise ValueError(_refusal(tree, self.text(tree)))

    def operation(self, op: str, args: tuple[int, ...], tree: ast.AST, exponent=None) -> int:
        value = _apply(op, [self.nodes[i].value for i in args], exponent)
        extra = {"exponent": exponent} if exponent is not None else {}
        return self.add(op, args, value, self.text(tree), **extra)

    def variable(self, tree: ast.Name) -> int:
        name = tree.id
        if name in FUNCTIONS:
            raise ValueError(f"'{name}'은(는) 함수입니다: {name}(x)처럼 괄호와 함께 쓰세요.")
        if name not in self.values:
            raise ValueError(f"변수 '{name}'의 값이 없습니다. 값 칸에 {name}=숫자 를 넣으세요.")
        if name not in self.variables:
            self.variables[name] = self.add("var", (), self.values[name], name)
        return self.variables[name]

    def power(self, tree: ast.BinOp, depth: int) -> int:
        exponent = _exponent(tree.right, self.text(tree.right))
        return self.operation("pow", (self.build(tree.left, depth + 1),), tree, exponent)

    def call(self, tree: ast.Call, depth: int) -> int:
        name = tree.func.id if isinstance(tree.func, ast.Name) else None
        if name not in FUNCTIONS:
            raise ValueError(f"'{self.text(tree.func)}'은(는) 쓸 수 있는 함수가 아닙니다. "
                             f"쓸 수 있는 함수: {', '.join(FUNCTIONS)}.")
        arity = FUNCTIONS[name]
        if tree.keywords or len(tree.args) != arity:
            raise ValueError(f"{name}에는 인자가 {arity}개 필요합니다 (입력: '{self.text(tree)}').")
        args = tuple(self.build(arg, depth + 1) for arg in tree.args)
        return self.operation(name, args, tree)


def _literal(tree: ast.Constant, text: str) -> float:
    """A number literal -> float; True, strings, complex numbers and 1e400 are refused."""
    if isinstance(tree.value, bool) or not isinstance(tree.value, (int, float)):
        raise ValueError(f"'{text}'은(는) 숫자가 아닙니다. 식에는 숫자, 변수, 연산만 쓸 수 있습니다.")
    try:
        return _finite(float(tree.value), text)
    except OverflowError:
        raise ValueError(f"'{text[:20]}'은(는) 너무 큰 숫자입니다.") from None


def _exponent(tree: ast.AST, text: str) -> float:
    """The exponent of ``**``: a number literal, possibly negated (``x ** -2``)."""
    sign = 1.0
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub):
        sign, tree = -1.0, tree.operand
    if not isinstance(tree, ast.Constant):
        raise ValueError(f"** 의 지수는 숫자여야 합니다 (입력: '{text}'). x**2는 되고 x**y는 "
                         f"안 됩니다.")
    return sign * _literal(tree, text)


def _refusal(tree: ast.AST, text: str) -> str:
    kind = next((name for cls, name in _REFUSED.items() if isinstance(tree, cls)), None)
    shown = text if len(text) <= 30 else text[:30] + "…"
    if kind is None:
        return (f"'{shown}'은(는) 식에 쓸 수 없습니다. 숫자, 변수, + - * /, **숫자, 괄호와 "
                f"{', '.join(FUNCTIONS)}만 쓸 수 있습니다.")
    return f"'{shown}': {kind}은(는) 식에 쓸 수 없습니다."


def _check_values(values) -> dict[str, float]:
    if not isinstance(values, dict):
        raise TypeError("values에는 {'x': 1.0} 같은 변수 이름 → 숫자 딕셔너리를 넣으세요.")
    checked = {}
    for name, value in values.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"변수 이름 {name!r}은(는) 쓸 수 없습니다 (x, w0 같은 이름).")
        checked[name] = checks.real(value, f"변수 {name}")
    return checked


def build_graph(expression: str, values: dict) -> list[Node]:
    """Parse ``expression`` and compute every node's value; the last node is the output.
    Nodes come in topological order (inputs before the node that uses them)."""
    if not isinstance(expression, str):
        raise TypeError("식(expression)은 문자열이어야 합니다.")
    values = _check_values(values)
    source = expression.strip()
    if not source:
        raise ValueError("식이 비어 있습니다. 예: (x+y)*z")
    if len(source) > MAX_CHARS:
        raise ValueError(f"식은 {MAX_CHARS}자 이하여야 합니다 (입력: {len(source)}자).")
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ValueError(f"식을 읽을 수 없습니다: '{source[:30]}'. 괄호와 연산자를 확인하세요 "
                         f"(곱하기는 *, 거듭제곱은 **).") from None
    builder = _Builder(source, values)
    builder.build(tree.body)
    return builder.nodes


# ---------------------------------------------------------------------------------------------
# Reverse mode: upstream × local = downstream, added into each input (fan-out adds).
# ---------------------------------------------------------------------------------------------

def local_gradients(node: Node, nodes: list[Node]) -> tuple[float, ...]:
    """d node / d input for each of ``node.inputs`` (torch.autograd's choices at kinks)."""
    if not node.inputs:
        return ()
    x = [nodes[i].value for i in node.inputs]
    v, op = node.value, node.op
    with np.errstate(all="ignore"):
        if op == "add":
            return (1.0, 1.0)
        if op == "sub":
            return (1.0, -1.0)
        if op == "mul":
            return (x[1], x[0])                   # each side gets the other input
        if op == "div":
            return (1.0 / x[1], float(-x[0] / np.float64(x[1]) ** 2))
        if op == "neg":
            return (-1.0,)
        if op == "pow":
            p = node.exponent
            return (0.0 if p == 0 else float(p * np.power(np.float64(x[0]), p - 1)),)
        if op == "max":
            return (0.5, 0.5) if x[0] == x[1] else ((1.0, 0.0) if x[0] > x[1] else (0.0, 1.0))
        return ({"exp": v, "log": float(1.0 / np.float64(x[0])), "tanh": 1.0 - v * v,
                 "sigmoid": v * (1.0 - v), "relu": 1.0 if x[0] > 0 else 0.0}[op],)


def backward(nodes: list[Node], passes: int = 1) -> tuple[list[float], list[dict]]:
    """Run backward ``passes`` times without zeroing -> (every node's gradient after the last
    pass, one record per (node, input) edge and pass, in the order they happen).

    As in torch: leaves (variables, literals) keep their ``.grad`` across passes, so a second pass
    doubles it; inner nodes start each pass from 0. A record holds ``upstream``, ``local``,
    ``downstream`` = upstream × local and the input's gradient ``before`` and ``after`` the +=.
    """
    leaf = [not n.inputs for n in nodes]
    grads = [0.0] * len(nodes)
    records = []
    for p in range(passes):
        grads = [g if is_leaf else 0.0 for g, is_leaf in zip(grads, leaf)]
        grads[-1] += 1.0                                       # d out / d out
        for index in range(len(nodes) - 1, -1, -1):
            node = nodes[index]
            for slot, (i, local) in enumerate(zip(node.inputs, local_gradients(node, nodes))):
                down = grads[index] * local
                before = grads[i]
                grads[i] = before + down
                records.append({"pass": p, "node": index, "input": i, "slot": slot,
                                "upstream": grads[index], "local": local, "downstream": down,
                                "before": before, "after": grads[i]})
                if not np.isfinite(grads[i]):
                    raise ValueError(f"'{nodes[i].text}'에 대한 기울기가 유한하지 않습니다 "
                                     f"({grads[i]}): 예를 들어 x**0.5는 x = 0에서 기울기가 "
                                     f"무한대입니다.")
    return grads, records


def evaluate_expression(expression: str, values: dict) -> dict:
    """Value and gradients of a scalar expression (see the module docstring)."""
    nodes = build_graph(expression, values)
    grads, _ = backward(nodes)
    index = {n.text: i for i, n in enumerate(nodes) if n.op == "var"}
    return {"value": nodes[-1].value,
            "grads": {name: grads[index[name]] if name in index else 0.0 for name in values}}


# ---------------------------------------------------------------------------------------------
# The two-layer net: scores = act(X @ W1 + b1) @ W2 + b2, softmax cross-entropy, L2 on W1 and W2.
# ---------------------------------------------------------------------------------------------

ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu")
LEAK = 0.01


def activate(z: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Pre-activations z (N, H) -> (h = act(z), dh/dz), both (N, H); derivative 0 (ReLU) or
    LEAK (leaky ReLU) at z = 0, as torch."""
    if kind == "relu":
        return np.maximum(z, 0.0), (z > 0).astype(np.float64)
    if kind == "leaky_relu":
        return np.where(z > 0, z, LEAK * z), np.where(z > 0, 1.0, LEAK)
    if kind == "tanh":
        h = np.tanh(z)
        return h, 1.0 - h * h
    if kind == "sigmoid":
        h = np.exp(-np.logaddexp(0.0, -z))      # no overflow for large |z|
        return h, h * (1.0 - h)
    raise ValueError(f"activation은 {', '.join(ACTIVATIONS)} 중 하나여야 합니다 (입력: {kind!r}).")


def _check_net(X, y, W1, b1, W2, b2):
    X = checks.float_array(X, "X", 2)
    W1, W2 = checks.float_array(W1, "W1", 2), checks.float_array(W2, "W2", 2)
    b1, b2 = checks.float_array(b1, "b1", 1), checks.float_array(b2, "b2", 1)
    (N, D), (H, K) = X.shape, W2.shape
    if N == 0:
        raise ValueError("데이터가 비어 있습니다. 점을 하나 이상 넣으세요.")
    if W1.shape != (D, H) or b1.shape != (H,) or b2.shape != (K,) or K == 0:
        raise ValueError(f"모양이 맞지 않습니다: X {X.shape}, W1 {W1.shape}, b1 {b1.shape}, "
                         f"W2 {W2.shape}, b2 {b2.shape}. W1 (D, H), b1 (H,), W2 (H, K), b2 (K,) "
                         f"이어야 합니다.")
    y = checks.labels(y, "y", N)
    if np.any((y < 0) | (y >= K)):
        raise ValueError(f"y의 label은 0 이상 {K - 1} 이하여야 합니다 (클래스 {K}개).")
    return X, y, W1, b1, W2, b2


def forward_scores(X: np.ndarray, params: dict, activation: str) -> np.ndarray:
    """Class scores (N, K) of points X (N, D)."""
    h, _ = activate(X @ params["W1"] + params["b1"], activation)
    return h @ params["W2"] + params["b2"]


def loss_and_grads(X, y, W1, b1, W2, b2, reg, activation):
    """The forward and backward pass of ``two_layer_net_loss`` on inputs already checked (a
    training loop checks once, then calls this)."""
    N = X.shape[0]
    h, dh_dz = activate(X @ W1 + b1, activation)                       # (N, H)
    scores = h @ W2 + b2                                               # (N, K)
    shifted = scores - scores.max(axis=1, keepdims=True)               # no overflow in exp
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(N), y].mean() + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    dscores = np.exp(log_probs)
    dscores[np.arange(N), y] -= 1.0
    dscores /= N
    dz = (dscores @ W2.T) * dh_dz                                      # back through act
    grads = {"W1": X.T @ dz + 2 * reg * W1, "b1": dz.sum(axis=0),
             "W2": h.T @ dscores + 2 * reg * W2, "b2": dscores.sum(axis=0)}
    return float(loss), grads


def two_layer_net_loss(X, y, W1, b1, W2, b2, reg=0.0, activation="relu"):
    """(loss, {"W1", "b1", "W2", "b2"} gradients) of the two-layer softmax classifier."""
    X, y, W1, b1, W2, b2 = _check_net(X, y, W1, b1, W2, b2)
    reg = checks.real(reg, "reg", low=0.0)
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation은 {', '.join(ACTIVATIONS)} 중 하나여야 합니다 "
                         f"(입력: {activation!r}).")
    with np.errstate(over="ignore", invalid="ignore"):
        loss, grads = loss_and_grads(X, y, W1, b1, W2, b2, reg, activation)
    if not np.isfinite(loss) or not all(np.all(np.isfinite(g)) for g in grads.values()):
        raise ValueError("값이 너무 커서 손실이나 기울기가 유한하지 않습니다. 가중치나 입력을 "
                         "줄이세요.")
    return loss, grads
