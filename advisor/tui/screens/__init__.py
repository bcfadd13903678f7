"""One module per screen or dialog: conversation, diagnosis, consent, explain (why/how), export,
paste log, open bundle, change answer."""
