"""HTTP clients of the platforms, one module each, behind the interface in `base`."""
