"""Stand-in for pip's get-pip.py, which ansible-test downloads from a host this network cannot reach.

Bootstraps pip from the interpreter's bundled wheel (ensurepip), then runs ``pip install`` with the
arguments get-pip.py would have received (less its own --no-setuptools/--no-wheel flags).
"""

import ensurepip
import os
import subprocess
import sys

environment = dict(os.environ)
ensurepip.bootstrap()  # sets PIP_CONFIG_FILE=/dev/null in this process: the install below needs the real config
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *args], env=environment))
