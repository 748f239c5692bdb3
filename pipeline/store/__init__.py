"""Storage: table schemas, documents as rows, the table store, the cross-article registry, file helpers."""
