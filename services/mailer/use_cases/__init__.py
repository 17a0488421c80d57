"""What the mailer does with an event: one mail, sent once."""
