"""CS231n demos: pure NumPy code shared by CPython tests and the Pyodide worker in the browser."""
