"""What the gateway does beyond passing a request on: it composes answers from several services
and decides what a request means before it sends a command. Each use case takes its ports."""
