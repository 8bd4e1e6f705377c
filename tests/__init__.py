"""fakeroute's own tests: one folder per provider, the cross-cutting ones at this level, helpers in support/."""
