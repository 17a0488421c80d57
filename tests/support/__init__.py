"""Test helpers: infrastructure selection, broker taps, processes."""
