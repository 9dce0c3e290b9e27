"""DS and CDS lifecycle: what the child gives the parent, what the parent does with it."""
