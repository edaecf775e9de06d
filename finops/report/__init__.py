"""Reports: data first (this package returns plain data), rendering in render.py."""
