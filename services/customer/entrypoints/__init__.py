"""How messages reach the customer service's use cases: the work-queue consumer
(`work_queue`) and the request/reply answers (`requests`). A subscriber reads the body as its
contract, hands it to a use case, and acknowledges or answers."""
