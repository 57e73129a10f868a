"""Tests of auditor/analysis/."""
