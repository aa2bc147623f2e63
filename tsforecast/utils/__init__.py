"""Internal helpers shared across tsforecast."""
