"""The published datasets: schema and table declarations, build from records, atomic
releases, queries."""
