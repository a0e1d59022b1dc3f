"""The evaluation workspace: raw files, quarantine, the database, the audit log, the loaders."""
