"""Rules of the diagnostics control family."""
