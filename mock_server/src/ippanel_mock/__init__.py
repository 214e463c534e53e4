"""IPPanel Edge API sandbox."""
