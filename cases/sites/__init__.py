"""Sites (families of domains that are one pirate service) and their domains."""
