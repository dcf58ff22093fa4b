"""Static archive of the 运城日报 party-building column."""
