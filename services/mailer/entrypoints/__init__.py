"""The events the mailer consumes."""
