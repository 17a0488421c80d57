"""Bulk imports of orders or customers: a file read row by row as it is uploaded."""
