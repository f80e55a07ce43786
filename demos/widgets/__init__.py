"""The demos' widgets, one module per maths module: ``demos.widgets.<topic>`` draws ``demos.<topic>``.

Each module declares ``WIDGETS = {"<widget id>": widget(...), ...}`` as a dict literal at top level
(so the site's wheel can index the ids without importing anything, see sitekit/demos_wheel.py);
``demos.widget.registry`` finds widgets only here.
"""
