"""MkDocs hook: the Pyodide runtime, the demos wheel and the widget host (placeholder)."""
