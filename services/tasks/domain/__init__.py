"""The rules of a task, pure: no I/O, no clock of their own (`now` is always passed in)."""
