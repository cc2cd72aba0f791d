"""Generative Studio: make pictures and text with generative deep learning."""

__version__ = "0.1.0"
