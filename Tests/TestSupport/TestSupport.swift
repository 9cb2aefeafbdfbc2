// Shared test code.
