"""Reasoning: exact noisy-OR posteriors over the sites of spread, red flags, explanations."""
