"""SMTP, templates, the customer service and the record of sent mail."""
