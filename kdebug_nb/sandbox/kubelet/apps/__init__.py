"""Tiny programs standing in for image binaries the host does not have.

Each module here is a self-contained script (stdlib only) that the runtime
starts with the host Python when a container runs the executable an image
maps to it (``apps: {neato: neato}`` in the catalogue).
"""
