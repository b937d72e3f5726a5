"""Blueprints, one per API family; views parse the request, call the org, render."""
