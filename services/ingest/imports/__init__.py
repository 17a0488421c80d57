"""Bulk imports of orders: a file of canonical orders, read row by row as it is uploaded."""
