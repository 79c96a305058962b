"""Operations at the ground floor: the Prometheus metrics every process shares and the optional tracing setup.

It imports `config/` and libraries only, so the API, the worker and activities can all use it.
"""
