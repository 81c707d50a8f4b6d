"""The processed contract: the schemas the cleaners validate against and the one reader of
data/processed/<source>/ that everything downstream uses."""
