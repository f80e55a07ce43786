"""MkDocs hook: notes/ -> lecture pages (placeholder until implemented)."""
