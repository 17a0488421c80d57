"""Gateway: the one public API of the suite for internal apps."""
