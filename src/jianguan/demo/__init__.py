"""Demo data generators and their `seed_demo*` commands (see apps.py)."""
