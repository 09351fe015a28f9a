"""Site crawls, works found on sites, site families and the jobs that keep sites fresh."""
