"""The object store and its semantics: the one place objects are created,
updated and deleted, used by the REST routes and the scenario loader alike.

``cluster.Cluster`` holds the objects, stamps resourceVersions and fans out
changes to watches and the kubelet; ``pods``, ``namespaces``, ``nodes`` and
``events`` default, validate and admit each kind; ``updates`` and
``patching`` are how a stored object changes; ``status`` is the shape of
every refusal.
"""
