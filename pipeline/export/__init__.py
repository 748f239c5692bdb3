"""Exports for people and tools: SQL, the HTML report, the workbook, the data dictionary."""
