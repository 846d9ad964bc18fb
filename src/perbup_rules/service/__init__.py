"""perbup serve: the HTTP service, its job store and worker processes, and the web page."""
