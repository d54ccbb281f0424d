"""Example device settings (devices.toml)."""
