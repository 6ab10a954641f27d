"""Images: reading, preparing and caching them for each platform."""
