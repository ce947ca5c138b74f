"""opsvalue on JupyterHub: the hub configuration, the `opsvalue` service and the trainee's client."""
