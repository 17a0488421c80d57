"""How messages reach the tasks service: its work queue, its request queue, its alarm clock."""
