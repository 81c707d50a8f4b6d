"""One module per report notebook: the pure functions behind its tables, figures and sentences."""
