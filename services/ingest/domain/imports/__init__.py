"""Bulk imports: a file of orders, or of customer records from another system, read row by row
as it is uploaded (`files`, with the CSV columns of each kind), and what each row becomes
(`row_commands`)."""
