"""Spaces beyond the home: space kinds, hosting a virtual space, invites across homes, and
the guest side of spaces joined on another hub (docs/spaces.md)."""
