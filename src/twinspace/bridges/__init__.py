"""Bridges to real devices: LG webOS TVs, Home Assistant (and through it lights, switches,
plugs and media players). One folder per integration, one small protocol (`base.py`), one
registry (`registry.py`); `manager.py` runs them beside the hub. See docs/bridges.md.
"""
