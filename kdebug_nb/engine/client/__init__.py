"""The engine's only door to the API server: connection, requests, streams.

``connection`` resolves kubectl's kubeconfig/context/namespace rules,
``rest`` sends plain requests, ``streams`` follows watches and logs and sends
stdin, ``wire`` words what the server answers, ``cancel`` ends streams
from another thread.
"""

from __future__ import annotations

from kdebug_nb.engine.client.cancel import Cancel
from kdebug_nb.engine.client.connection import Connection
from kdebug_nb.engine.client.streams import ClusterClient

__all__ = ["Cancel", "ClusterClient", "Connection"]
