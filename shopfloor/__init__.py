"""Shopfloor: the command line and the settings loader shared by central and the edge."""
