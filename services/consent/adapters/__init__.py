"""MongoDB stores of the consent service and their BSON mapping.

Each implements a port of use_cases/ports.py.
"""
