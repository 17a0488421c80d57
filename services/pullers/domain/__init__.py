"""The pullers' rules: windows and watermarks, paging, throttling. No I/O."""
