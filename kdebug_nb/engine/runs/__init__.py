"""The run stage of the engine: one invocation's targets, each a run with events.

``runner`` orchestrates; ``plan`` turns targets into the builders' plans;
``apply`` sends them; ``follow`` and ``waiting`` wait for the debug
container and capture its output; ``watchdog`` ends a run from outside;
``events``, ``report`` and ``result`` are what a run tells and returns.
"""
