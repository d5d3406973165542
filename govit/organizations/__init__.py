"""Organizations (authorities, construction units, vendors), their users and roles, API tokens."""
