"""The health function: reports the stack and the table it can reach."""
