"""Care stations (爱心驿站). Filled in by the care-stations issue."""
