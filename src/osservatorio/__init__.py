"""Osservatorio: welfare knowledge system."""
