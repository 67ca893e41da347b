"""Hand-written fakes of external services, shared by the test suites."""
