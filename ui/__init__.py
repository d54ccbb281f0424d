"""PySide6 screens (counter, kiosk, manager); the only package that imports Qt."""
