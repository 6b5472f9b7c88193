"""Letters of a case: decision letters and their sending as digital mail (KS SvarUt)."""
