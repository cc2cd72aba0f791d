"""Qt widgets and the main window. Knows parameters and images, never tensors."""
