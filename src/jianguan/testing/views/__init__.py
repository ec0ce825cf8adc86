"""Staff pages of the testing app (检验检测监管)."""
