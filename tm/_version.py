"""The version of tm, alone, so that what writes it into files (TMX, PO headers) imports nothing else."""

__version__ = "0.1.0"
