"""Tasks service: follow-up tasks on customers, with assignees, deadlines and reminders."""
