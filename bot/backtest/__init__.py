"""`callbot backtest` and `callbot test-rules`: rules replayed on recorded or simulated calls."""
