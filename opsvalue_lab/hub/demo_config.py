"""JupyterHub config file of `opsvalue-lab hub-demo` (run as `jupyterhub -f` this file)."""
from opsvalue_lab.hub.demo import apply_demo

apply_demo(get_config())  # type: ignore[name-defined]  # noqa: F821 - JupyterHub defines get_config
