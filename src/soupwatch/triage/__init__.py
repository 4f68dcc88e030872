"""Triage helpers that narrow findings with device facts (kernel ``.config`` → code built)."""
