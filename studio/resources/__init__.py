"""Icons, stylesheet and presets, shipped as package data (read with importlib.resources)."""
