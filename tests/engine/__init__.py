"""Tests of auditor/engine/."""
