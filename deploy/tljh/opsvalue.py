"""The Littlest JupyterHub drop-in for an opsvalue class.

Install (as root on the TLJH machine, see docs/DEPLOY.md):

    sudo /opt/tljh/hub/bin/python3 -m pip install "opsvalue-lab[hub] @ <wheel or git URL>"
    sudo /opt/tljh/user/bin/python3 -m pip install "opsvalue-lab @ <wheel or git URL>"
    sudo cp deploy/tljh/opsvalue.py /opt/tljh/config/jupyterhub_config.d/opsvalue.py
    sudo edit the three settings below, then: sudo tljh-config reload hub

TLJH loads every *.py in jupyterhub_config.d after its own settings, with `c` the hub's config.
This file only calls opsvalue_lab.hub.config.configure: the same function `opsvalue-lab hub-demo`
(and the CI tests) run, so what was tested is what runs here.
"""
from opsvalue_lab.hub.config import configure

COURSE = "opsvalue-2026-spring"          # shown in the report; one hub = one class
INSTRUCTORS = ["instructor1"]            # hub user names who may read the class and comment
LANG = "ja"                              # the workbook's language: "ja" or "en"
LIVE = False                             # True: answers are shared live on /services/opsvalue/live/
CATALOGUE = None                         # a cohort overlay folder (docs/FORMATS.md), e.g. "/opt/tljh/state/overlay"

configure(
    c,  # type: ignore[name-defined]  # noqa: F821 - TLJH defines c when it loads this file
    course=COURSE,
    instructors=INSTRUCTORS,
    lang=LANG,
    live=LIVE,
    catalogue=CATALOGUE,
    data_dir="/opt/tljh/state/opsvalue",  # the course store and every received file; back this up
    service_python="/opt/tljh/hub/bin/python3",    # runs the opsvalue service (hub environment)
    user_python="/opt/tljh/user/bin/python3",      # runs each trainee's server (user environment)
)
