"""Takedown cases: notices, their templates, the operators' queue, delivery and escalation."""
