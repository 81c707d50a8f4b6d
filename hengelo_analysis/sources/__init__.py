"""Stage 1, fetch and clean: download clients, one reader per raw source, and the cleaners that turn
data/raw/<source>/ into the processed tables."""
