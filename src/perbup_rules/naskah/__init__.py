"""The draft as a legal text (naskah Peraturan Bupati): frame, numbers in words, Word and HTML output."""
