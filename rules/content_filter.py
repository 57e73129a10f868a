"""Rules of the content-filter control family."""
