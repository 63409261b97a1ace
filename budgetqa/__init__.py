"""budgetqa: exact, cited answers from government budget documents."""
