"""Users, password hashing, roles, field encryption of personal data and its keys, masking, the audit log."""
