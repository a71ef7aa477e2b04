"""Microsimulation of the rules on a synthetic population (plain Python, no Django)."""
