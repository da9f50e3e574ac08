"""HTTP and file:// fetching with politeness, limits and safety."""
