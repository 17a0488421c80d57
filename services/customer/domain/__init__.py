"""Customer domain logic: pure, no I/O."""
