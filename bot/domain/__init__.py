"""The pure core: standard library only, no I/O, `now` is always an argument."""
