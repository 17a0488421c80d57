"""The customer service's adapters: MongoDB stores and their BSON mapping, the bank vault.

Each store implements a port of `services.customer.use_cases.ports`; events leave through the
suite's transactional outbox (`shared.outbox`), which the unit of work writes.
"""
