"""What the pullers do: pull an integration, replay its parked orders, report its state."""
