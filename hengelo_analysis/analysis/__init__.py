"""Statistics, indicators, disclosure control, peer groups and the claims: pure functions on frames."""
