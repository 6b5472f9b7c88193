"""Samflyt's web UI and command line: thin boundaries over the engine."""
