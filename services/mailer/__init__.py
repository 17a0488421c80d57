"""The mailer: sends the mail the suite owes people (double opt-in) over SMTP."""
