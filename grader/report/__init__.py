"""Ways to present a GradeReport: the terminal table and results.json."""
