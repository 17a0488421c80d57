"""What the tasks service does, one module per family of commands and queries.

Use cases take their ports (use_cases/ports.py) and know no database or broker; the adapters
implement the ports, main.py wires them.
"""
