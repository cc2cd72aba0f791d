"""One module per technique. Each long job is a generator of `Progress` events that returns its result."""
