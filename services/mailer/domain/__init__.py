"""The mailer's rules: languages, mails, the sealed link. No I/O."""
