"""Registration shared by Jenkins and GitLab: settings, plan/diff, fleet runs and the CLI."""
