"""hengelo_analysis: a reproducible veiligheidsbeeld per gemeente, wijk and buurt from Dutch open data."""

__version__ = "0.1.0"
