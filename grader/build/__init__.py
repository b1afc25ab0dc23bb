"""Authoring tools: everything students receive is generated from the marked reference."""
