"""The provider directory: who can act on a site (hosts, CDNs, registrars, search engines, ...)."""
