"""``python -m evaluation.cli ...``: the ``peer-eval`` command without its installed script."""

import sys

from . import main

sys.exit(main())
