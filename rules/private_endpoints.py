"""Rules of the private-endpoints control family."""
