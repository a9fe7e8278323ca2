"""Data lifecycle: how long each kind of data is kept, the purge job, and a debtor's own data on
request (export) or erased where the law allows (docs/security.md, "Data lifecycle")."""
