"""Who calls the gateway and what they may see and do: pure rules, no I/O."""
