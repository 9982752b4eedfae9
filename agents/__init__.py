"""AI engines of Champion Clone.

This package knows no model of any app (README.md, Architecture): plain data in (a file path, a
transcript, a list of patterns), plain data out (the dataclasses of ``agents.types``). It
reads Django settings at most. The apps that own the data run the work.
"""
