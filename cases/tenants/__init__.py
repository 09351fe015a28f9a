"""Associations (tenants), their API keys and roles, and who may do what."""
