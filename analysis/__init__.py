"""Statistics on tidy frames: recidivism, wellbeing, themes, integration, disclosure.

``analysis`` reads no files and never imports ``evaluation``.
"""

__version__ = "0.1.0"
