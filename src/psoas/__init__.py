"""psoas: screening, a safe home program and follow-up for low back pain where the hip flexors
may play a part. It informs; it does not diagnose."""

__version__ = "0.1.0"
