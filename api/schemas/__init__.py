"""The HTTP contract: what the portal sends and gets back, apart from the workflows' own types.

Workflow payloads (`workflows.messages`, the domain's state and view) can change with the course's rules and
the history they live in; these schemas change only as the API does, and each says how it is built from them.
"""
