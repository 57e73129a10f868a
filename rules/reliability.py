"""Rules of the reliability control family."""
