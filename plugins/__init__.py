"""The built-in detector plugins, one small file each.

Shipped in the wheel as ``monitor._plugins``; the plugin manager imports every
``*.py`` here by path, so this file itself is not a plugin.
"""
