"""Monthly traffic estimates of sites."""
