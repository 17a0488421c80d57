"""What ingest makes of what arrives, as pure functions (no I/O): a channel's payload becomes the
canonical order (`channels`), a row of an uploaded file becomes a command (`imports`), and an
order becomes the command that upserts its buyer, with an id a retry repeats (`orders`)."""
