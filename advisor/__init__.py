"""advisor: an expert-system troubleshooter for Apple Network Extension providers."""

__version__ = "1.0.0"
