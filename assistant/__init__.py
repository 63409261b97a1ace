"""Question -> plan -> tool calls (table lookup, computation, passages) -> Answer."""
