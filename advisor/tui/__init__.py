"""The interactive terminal app (`advisor` / `advisor tui`), a thin Textual shell over the engine.

Textual is imported only by the modules of this package that need it, so scripted commands never
pay for it. Its plain-Python half lives in advisor.conversation.
"""
