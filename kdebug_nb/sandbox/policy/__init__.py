"""Who may do what, and which objects are acceptable.

``rbac`` authenticates bearer tokens and authorizes requests; ``admission``
is Pod Security admission; ``validation`` checks pods with the API server's
field paths and messages.
"""
