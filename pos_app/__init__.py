"""Headless core of the points counter: domain rules, store database and services.

Nothing here imports Qt, device, sync or HTTP libraries; the counter UI, the
devices layer, the sync client and the HQ service all build on this package.
"""

__version__ = "0.1.0"
