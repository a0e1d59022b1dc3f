"""From a submitted file to trusted tidy data: instruments, templates, intake, store, book build.

``evaluation`` never imports ``analysis`` (intake knows no statistics).
"""

__version__ = "0.1.0"
