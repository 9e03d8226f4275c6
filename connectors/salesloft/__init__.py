"""The Salesloft provider package: `spec.py` declares what Glue needs to know of it."""
