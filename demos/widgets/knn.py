"""Widgets of ``demos.knn``, registered from here.

Transitional: they are still built inside ``demos/knn.py``. Moving that code here (and out of the
maths module) is the next step of the split; see ``demos/widgets/linear.py`` for the finished shape.
"""

from demos import knn

WIDGETS = {
    "knn": knn.WIDGETS["knn"],
    "knn-cv": knn.WIDGETS["knn-cv"],
}
