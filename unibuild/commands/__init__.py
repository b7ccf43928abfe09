"""Click commands, one module per family; each is thin and calls a library function."""
