"""Widgets of ``demos.conv``, registered from here.

Transitional: they are still built inside ``demos/conv.py``. Moving that code here (and out of the
maths module) is the next step of the split; see ``demos/widgets/linear.py`` for the finished shape.
"""

from demos import conv

WIDGETS = {
    "conv-layer": conv.WIDGETS["conv-layer"],
    "conv-stack": conv.WIDGETS["conv-stack"],
    "conv-3x3-vs-7x7": conv.WIDGETS["conv-3x3-vs-7x7"],
}
