"""Widgets of ``demos.optim``, registered from here.

Transitional: they are still built inside ``demos/optim.py``. Moving that code here (and out of the
maths module) is the next step of the split; see ``demos/widgets/linear.py`` for the finished shape.
"""

from demos import optim

WIDGETS = {
    "optim": optim.WIDGETS["optim"],
    "lr-schedule": optim.WIDGETS["lr-schedule"],
}
