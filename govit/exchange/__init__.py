"""The documents people exchange with the platform: the 连平 annex forms filled from a project
(docx), the annual plan as a spreadsheet, and declarations imported from a spreadsheet template."""
