"""Complete programs that ship with ember: ``python -m ember.examples.mnist``."""
