"""Passages -> vectors -> nearest passages."""
