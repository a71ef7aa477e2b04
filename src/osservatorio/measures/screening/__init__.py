"""Front-desk screening on the rules engine: plain Python, no Django (the views add the procedures)."""
