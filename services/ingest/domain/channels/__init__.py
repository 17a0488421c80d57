"""Channel adapters: each turns one channel's native order payload into the canonical order.

Pure mapping, no I/O: a channel's payload goes in, a `CanonicalOrder` comes out, or `Unmappable`
naming the offending fields in the channel's own words. Verifying where a payload came from,
and publishing it, is the job of the entry points and the intake around them.
"""
