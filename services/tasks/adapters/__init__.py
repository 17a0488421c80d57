"""The tasks service's ports made real: MongoDB stores and their BSON mapping, transactions."""
