"""One ``ComponentResource`` per concern of the stack, each with an ``Args`` dataclass."""
