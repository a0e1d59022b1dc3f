"""``python -m evaluation.cli`` runs the ``peer-eval`` command."""

import sys

from . import main

sys.exit(main())
