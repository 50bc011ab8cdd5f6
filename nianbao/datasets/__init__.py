"""The published datasets: registry, build from records, atomic publish, queries."""
