"""Tests of auditor/arm/."""
