"""The spiders of the crawlers project."""
