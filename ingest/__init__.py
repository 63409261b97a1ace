"""PDF -> Document, Table, Fact, Passage."""
