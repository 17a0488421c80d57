"""What every service needs and nothing service-specific: contracts, topology, factories."""
