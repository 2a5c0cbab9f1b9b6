"""Pages of the care stations: the citizens' finder and station pages (public),
the kiosk screen (screen) and the station managers' pages (manage)."""
