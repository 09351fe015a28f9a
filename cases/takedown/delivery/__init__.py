"""Delivering notices: channels behind one interface, and the outbox that makes sending happen once."""
