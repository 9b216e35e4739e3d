"""Rasa custom actions: thin adapters from a tracker to the services in `bot/`."""
