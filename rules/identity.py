"""Rules of the identity control family."""
