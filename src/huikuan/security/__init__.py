"""Users, password hashing, roles, field encryption of personal data, masking, the audit log."""
