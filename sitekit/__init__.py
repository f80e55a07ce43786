"""Build-time tooling for the site (never shipped to the browser)."""
