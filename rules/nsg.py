"""Rules of the nsg control family."""
