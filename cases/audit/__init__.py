"""The append-only audit trail: who changed what, when, through which request."""
