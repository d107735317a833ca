"""Digest templates (shipped as monitor._templates); a config's templates_dir overrides any by name."""
