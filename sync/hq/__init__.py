"""The HQ service the stores sync with."""
