"""Flowroute Numbers v2 and Messages v2.1."""
