"""The sandbox's HTTP face: what an API server does before and after its storage.

``app`` builds the aiohttp application; ``middleware`` authenticates,
authorizes and turns errors into ``Status`` bodies; ``routes/`` has one module
per resource; ``watch``, ``discovery`` and ``tables`` are what their names say.
Objects are created, changed and deleted only through ``kdebug_nb.sandbox.store``.
"""
