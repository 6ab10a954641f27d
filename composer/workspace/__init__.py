"""Files the composer keeps: drafts (and, later, the accounts file)."""
