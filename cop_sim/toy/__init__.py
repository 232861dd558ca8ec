"""A toy model whose answer is known: it tests the robustness machinery, not a theory."""
