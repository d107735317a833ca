"""The seed articles: the baseline every figure is compared with (shipped as monitor._seeds)."""
