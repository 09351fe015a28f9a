"""Where sites live over time: resolution snapshots and the infrastructure changes between them."""
