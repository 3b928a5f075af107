"""Older module paths of zugbruecke, kept so existing imports keep working."""
