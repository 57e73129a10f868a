"""Tests of auditor/collect/."""
